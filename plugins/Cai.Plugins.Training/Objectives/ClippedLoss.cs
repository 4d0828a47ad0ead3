using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>A PPO clipped loss and how often its clipped branch was taken.</summary>
/// <param name="Loss">Scalar loss to minimise.</param>
/// <param name="ClipFraction">Scalar, detached: fraction of response tokens where the clipped term was strictly larger.</param>
public sealed record ClippedLoss(Tensor Loss, Tensor ClipFraction);

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

/// <summary>
/// PPO value loss: ½·masked mean of max((V − R)², (V_clip − R)²), V_clip = V_old + clip(V − V_old, −c, c).
/// </summary>
public static class ClippedValueLoss
{
    /// <param name="values">Current value head outputs, [batch, seq].</param>
    /// <param name="oldValues">Values at rollout time, [batch, seq].</param>
    /// <param name="returns">GAE returns, [batch, seq].</param>
    /// <param name="mask">1 at response tokens, [batch, seq].</param>
    /// <param name="clipRangeValue">c (vf_clip).</param>
    public static ClippedLoss Compute(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double clipRangeValue)
    {
        using var scope = NewDisposeScope();
        var clippedValues = oldValues + (values - oldValues).clamp(-clipRangeValue, clipRangeValue);
        var unclipped = (values - returns).square();
        var clipped = (clippedValues - returns).square();
        var loss = 0.5 * Masked.Mean(maximum(unclipped, clipped), mask);
        var clipFraction = Masked.Mean(clipped.gt(unclipped).to_type(loss.dtype), mask).detach();
        return new ClippedLoss(loss.MoveToOuterDisposeScope(), clipFraction.MoveToOuterDisposeScope());
    }
}
