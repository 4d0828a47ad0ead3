using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class GeneralizedAdvantageEstimationTests
{
    [Fact]
    public void MatchesHandComputedAdvantagesWithPadding()
    {
        using var scope = NewDisposeScope();
        // γ = 0.9, λ = 0.8, γλ = 0.72. Nines are garbage at masked positions and must not leak in.
        var rewards = TensorAssert.Rows([0f, 0f, 0f, 1f], [0.5f, 1f, 9f, 9f], [9f, 0.5f, 1f, 9f]);
        var values = TensorAssert.Rows([0.5f, 0.6f, 0.7f, 0.8f], [1f, 2f, 9f, 9f], [9f, 1f, 2f, 9f]);
        var mask = TensorAssert.Rows([1, 1, 1, 1], [1, 1, 0, 0], [0, 1, 1, 0]);

        var result = GeneralizedAdvantageEstimation.Compute(rewards, values, mask, gamma: 0.9, lambda: 0.8);

        // Row 0, V after the end = 0:
        //   t=3: δ = 1 + 0 − 0.8 = 0.2;            Â = 0.2
        //   t=2: δ = 0 + 0.9·0.8 − 0.7 = 0.02;     Â = 0.02 + 0.72·0.2 = 0.164
        //   t=1: δ = 0 + 0.9·0.7 − 0.6 = 0.03;     Â = 0.03 + 0.72·0.164 = 0.14808
        //   t=0: δ = 0 + 0.9·0.6 − 0.5 = 0.04;     Â = 0.04 + 0.72·0.14808 = 0.1466176
        // Row 1, right-padded after two tokens:
        //   t=1: δ = 1 + 0 − 2 = −1;               Â = −1
        //   t=0: δ = 0.5 + 0.9·2 − 1 = 1.3;        Â = 1.3 + 0.72·(−1) = 0.58
        // Row 2: the same two tokens, preceded by a prompt token and followed by padding.
        TensorAssert.Close(
            [0.1466176, 0.14808, 0.164, 0.2,
             0.58, -1, 0, 0,
             0, 0.58, -1, 0],
            result.Advantages);
        // Returns = Â + V at response tokens: [0.6466176, 0.74808, 0.864, 1.0], [1.58, 1.0], [1.58, 1.0].
        TensorAssert.Close(
            [0.6466176, 0.74808, 0.864, 1.0,
             1.58, 1.0, 0, 0,
             0, 1.58, 1.0, 0],
            result.Returns);
    }

    [Fact]
    public void WithGammaAndLambdaOneAdvantagesAreRewardToGoMinusValue()
    {
        using var scope = NewDisposeScope();
        // γ = λ = 1: Â_t = Σ_{k≥t} r_k − V_t. Rewards [1, 2, 3] → to-go [6, 5, 3]; V = [1, 1, 1] → [5, 4, 2].
        var result = GeneralizedAdvantageEstimation.Compute(
            TensorAssert.Rows([1f, 2f, 3f]), TensorAssert.Rows([1f, 1f, 1f]), TensorAssert.Rows([1, 1, 1]), gamma: 1.0, lambda: 1.0);
        TensorAssert.Close([5, 4, 2], result.Advantages);
        TensorAssert.Close([6, 5, 3], result.Returns);
    }
}
