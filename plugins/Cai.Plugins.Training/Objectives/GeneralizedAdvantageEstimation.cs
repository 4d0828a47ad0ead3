using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>
/// GAE (Schulman et al. 2016) over response tokens, computed backwards:
/// δ_t = r_t + γ·V_{t+1} − V_t, Â_t = δ_t + γλ·Â_{t+1}, with V and Â taken as 0 after the last response token.
/// Masked-out positions are skipped (the next response token's V and Â carry over them), so right padding
/// and holes are both handled. No gradient flows.
/// </summary>
public static class GeneralizedAdvantageEstimation
{
    /// <param name="rewards">Per-token rewards, [batch, seq].</param>
    /// <param name="values">Value head outputs, [batch, seq].</param>
    /// <param name="mask">1 at response tokens, [batch, seq].</param>
    /// <param name="gamma">γ: discount.</param>
    /// <param name="lambda">λ: bias-variance trade-off of GAE.</param>
    public static AdvantagesAndReturns Compute(Tensor rewards, Tensor values, Tensor mask, double gamma, double lambda)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var isResponse = mask.to_type(ScalarType.Bool);
        long length = rewards.shape[1];
        var nextValue = zeros_like(values[.., 0]);
        var nextAdvantage = zeros_like(rewards[.., 0]);
        var advantages = new Tensor[length];
        for (long t = length - 1; t >= 0; t--)
        {
            var here = isResponse[.., t];
            var value = values[.., t];
            var delta = rewards[.., t] + gamma * nextValue - value;
            var advantage = delta + gamma * lambda * nextAdvantage;
            advantages[t] = where(here, advantage, zeros_like(advantage));
            nextAdvantage = where(here, advantage, nextAdvantage);
            nextValue = where(here, value, nextValue);
        }
        var stacked = stack(advantages, 1);
        var returns = where(isResponse, stacked + values, zeros_like(stacked));
        stacked.MoveToOuterDisposeScope();
        returns.MoveToOuterDisposeScope();
        return new AdvantagesAndReturns(stacked, returns);
    }
}

/// <summary>GAE output, [batch, seq], 0 at masked-out positions.</summary>
/// <param name="Advantages">Â_t.</param>
/// <param name="Returns">Â_t + V_t: the value head's regression target.</param>
public sealed record AdvantagesAndReturns(Tensor Advantages, Tensor Returns);
