using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class MaskedTests
{
    [Fact]
    public void MeanAndVarianceIgnoreMaskedPositions()
    {
        using var scope = NewDisposeScope();
        var values = TensorAssert.Rows([1f, 2f, 3f, 100f]);
        var mask = TensorAssert.Rows([1, 1, 1, 0]);
        // Mean (1 + 2 + 3) / 3 = 2; unbiased variance ((−1)² + 0² + 1²) / (3 − 1) = 1; biased 2/3.
        TensorAssert.Close(2.0, Masked.Mean(values, mask));
        TensorAssert.Close(1.0, Masked.Variance(values, mask));
        TensorAssert.Close(2.0 / 3.0, Masked.Variance(values, mask, unbiased: false));
        TensorAssert.Close([2.0], Masked.Mean(values, mask, dim: 1));
    }

    [Fact]
    public void WhitenStandardisesOverTheMask()
    {
        using var scope = NewDisposeScope();
        var values = TensorAssert.Rows([1f, 2f, 3f, 100f]);
        var mask = TensorAssert.Rows([1, 1, 1, 0]);
        // (x − 2) / √(1 + 1e-8): [−1, 0, 1], masked position 0.
        TensorAssert.Close([-1, 0, 1, 0], Masked.Whiten(values, mask));
        // Mean kept: [1, 2, 3], masked position 0.
        TensorAssert.Close([1, 2, 3, 0], Masked.Whiten(values, mask, shiftMean: false));
    }
}
