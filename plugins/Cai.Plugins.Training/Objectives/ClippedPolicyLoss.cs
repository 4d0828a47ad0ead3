using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>
/// PPO clipped surrogate: masked mean of max(−Â·ρ, −Â·clip(ρ, 1 − ε, 1 + ε)), ρ = exp(log π − log π_old).
/// </summary>
public static class ClippedPolicyLoss
{
    /// <param name="logprobs">Current policy log-probs of the sampled tokens, [batch, seq].</param>
    /// <param name="oldLogprobs">Log-probs at rollout time, [batch, seq].</param>
    /// <param name="advantages">[batch, seq].</param>
    /// <param name="mask">1 at response tokens, [batch, seq].</param>
    /// <param name="clipRange">ε.</param>
    public static ClippedLoss Compute(Tensor logprobs, Tensor oldLogprobs, Tensor advantages, Tensor mask, double clipRange)
    {
        using var scope = NewDisposeScope();
        var ratio = (logprobs - oldLogprobs).exp();
        var unclipped = -advantages * ratio;
        var clipped = -advantages * ratio.clamp(1.0 - clipRange, 1.0 + clipRange);
        var loss = Masked.Mean(maximum(unclipped, clipped), mask);
        var clipFraction = Masked.Mean(clipped.gt(unclipped).to_type(loss.dtype), mask).detach();
        return new ClippedLoss(loss.MoveToOuterDisposeScope(), clipFraction.MoveToOuterDisposeScope());
    }
}
