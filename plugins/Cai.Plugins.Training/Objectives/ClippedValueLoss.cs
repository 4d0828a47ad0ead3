using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

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
