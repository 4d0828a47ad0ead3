using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class ClippedValueLossTests
{
    [Fact]
    public void LossAndClipFractionMatchHandComputation()
    {
        using var scope = NewDisposeScope();
        // c = 0.2, V_old = 1. Token 3 is masked out.
        //   t0: V = 1.5 → V_clip = 1.2, R = 2: (1.5 − 2)² = 0.25 vs (1.2 − 2)² = 0.64 → 0.64, clipped
        //   t1: V = 0.9 → V_clip = 0.9, R = 0: 0.81 vs 0.81 → 0.81
        //   t2: V = 2.0 → V_clip = 1.2, R = 1: 1 vs 0.04 → 1
        // ½·(0.64 + 0.81 + 1) / 3 = 0.4083333; clip fraction 1/3.
        var values = TensorAssert.Rows([1.5f, 0.9f, 2f, 50f]);
        var oldValues = TensorAssert.Rows([1f, 1f, 1f, 1f]);
        var returns = TensorAssert.Rows([2f, 0f, 1f, -50f]);
        var result = ClippedValueLoss.Compute(values, oldValues, returns, TensorAssert.Rows([1, 1, 1, 0]), clipRangeValue: 0.2);
        TensorAssert.Close(0.4083333333, result.Loss);
        TensorAssert.Close(1.0 / 3.0, result.ClipFraction);
    }
}
