using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>
/// KL between the rollout policy and the current one, for early stopping inside PPO epochs:
/// masked mean of ½·(log π − log π_old)² (the k2 estimator, as TRL's approxkl). Detached.
/// </summary>
public static class ApproximateKl
{
    public static Tensor Compute(Tensor logprobs, Tensor oldLogprobs, Tensor mask)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var kl = TokenKl.Estimate(logprobs, oldLogprobs, KlEstimator.K2);
        return Masked.Mean(kl, mask).MoveToOuterDisposeScope();
    }
}
