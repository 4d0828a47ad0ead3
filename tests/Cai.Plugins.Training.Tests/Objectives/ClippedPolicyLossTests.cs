using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class ClippedPolicyLossTests
{
    // ε = 0.2, old log-probs 0, so ρ = exp(log π). Token 4 is masked out.
    //   t0: ρ = 1.5, Â = 1:  −1.5 vs −1.2 (clipped) → −1.2, clipped
    //   t1: ρ = 0.5, Â = 1:  −0.5 vs −0.8 → −0.5
    //   t2: ρ = 0.5, Â = −1:  0.5 vs 0.8 (clipped) → 0.8, clipped
    //   t3: ρ = 1.1, Â = 2:  −2.2 vs −2.2 → −2.2, equal: not counted as clipped
    private static readonly float[] Ratios = [1.5f, 0.5f, 0.5f, 1.1f, 3f];
    private static readonly float[] AdvantageValues = [1f, 1f, -1f, 2f, 5f];

    [Fact]
    public void LossAndClipFractionMatchHandComputation()
    {
        using var scope = NewDisposeScope();
        var logprobs = TensorAssert.Rows(Ratios.Select(r => MathF.Log(r)).ToArray());
        var result = ClippedPolicyLoss.Compute(
            logprobs, zeros_like(logprobs), TensorAssert.Rows(AdvantageValues), TensorAssert.Rows([1, 1, 1, 1, 0]), clipRange: 0.2);
        // (−1.2 − 0.5 + 0.8 − 2.2) / 4 = −0.775; clipped at t0 and t2 → 2/4.
        TensorAssert.Close(-0.775, result.Loss);
        TensorAssert.Close(0.5, result.ClipFraction);
    }

    [Fact]
    public void ClippedTokensGiveNoGradient()
    {
        using var scope = NewDisposeScope();
        var logprobs = TensorAssert.Rows(Ratios.Select(r => MathF.Log(r)).ToArray()).requires_grad_();
        var result = ClippedPolicyLoss.Compute(
            logprobs, zeros_like(logprobs), TensorAssert.Rows(AdvantageValues), TensorAssert.Rows([1, 1, 1, 1, 0]), clipRange: 0.2);
        result.Loss.backward();
        double[] grad = logprobs.grad!.to_type(ScalarType.Float64).data<double>().ToArray();
        // d(−Â·ρ)/d log π = −Â·ρ, over 4 tokens: t1 → −1·0.5/4 = −0.125. t0, t2 clipped and t4 masked → 0.
        Assert.Equal(0.0, grad[0], 1e-6);
        Assert.Equal(-0.125, grad[1], 1e-6);
        Assert.Equal(0.0, grad[2], 1e-6);
        Assert.Equal(0.0, grad[4], 1e-6);
    }
}
