using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class TokenRewardsTests
{
    [Fact]
    public void PenalisesKlPerTokenAndAddsTheScoreAtTheLastResponseToken()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new[] { 1f, 2f, 3f });
        var kl = TensorAssert.Rows([0.1f, 0.2f, 0.3f, 0.4f], [0.5f, -0.1f, 9f, 9f], [1f, 1f, 1f, 1f]);
        var mask = TensorAssert.Rows([1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 0, 0]);
        var rewards = TokenRewards.Compute(scores, kl, mask, klCoef: 0.5);
        // Row 0: −0.5·[0.1, 0.2, 0.3, 0.4] = [−0.05, −0.1, −0.15, −0.2], score 1 at t = 3 → 0.8.
        // Row 1 (right-padded): −0.5·[0.5, −0.1] = [−0.25, 0.05], score 2 at t = 1 → 2.05; padding stays 0.
        // Row 2 (empty response): nothing.
        TensorAssert.Close(
            [-0.05, -0.1, -0.15, 0.8,
             -0.25, 2.05, 0, 0,
             0, 0, 0, 0],
            rewards);
    }
}
