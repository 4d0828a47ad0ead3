using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>Rollout statistics of one iteration, TRL's objective/* metrics.</summary>
/// <param name="Score">Mean reward-function score.</param>
/// <param name="Kl">Mean over responses of the summed per-token KL(π ‖ π_ref).</param>
/// <param name="RlhfReward">Mean score minus kl_coef times the summed KL: the reward PPO maximises.</param>
public sealed record RolloutStatistics(double Score, double Kl, double RlhfReward);

/// <summary>
/// Per-token rewards (score at the last response token, −kl_coef·KL at every one), optionally whitened, then GAE
/// advantages (whitened over the batch) and returns.
/// </summary>
public static class PpoAdvantages
{
    /// <returns>The experience (tensors in the caller's dispose scope) and the rollout statistics.</returns>
    public static (Experience Experience, RolloutStatistics Statistics) Compute(Rollout rollout, double klCoef, PpoOptions options)
    {
        using var noGrad = no_grad();
        var mask = rollout.Sequences.ActionMask;
        var kl = TokenKl.Estimate(rollout.Logprobs, rollout.ReferenceLogprobs, options.KlEstimator) * mask;
        var rewards = TokenRewards.Compute(rollout.Scores, kl, mask, klCoef);
        // Whitening needs two response tokens at least (unbiased variance).
        bool canWhiten = mask.sum().item<float>() >= 2;
        if (options.WhitenRewards && canWhiten) rewards = Masked.Whiten(rewards, mask, shiftMean: false);
        var gae = GeneralizedAdvantageEstimation.Compute(rewards, rollout.Values, mask, options.Gamma, options.Lam);
        var advantages = canWhiten ? Masked.Whiten(gae.Advantages, mask) : gae.Advantages;

        double score = rollout.Scores.mean().item<float>();
        double sequenceKl = kl.sum(1).mean().item<float>();
        var statistics = new RolloutStatistics(score, sequenceKl, score - klCoef * sequenceKl);
        return (new Experience(rollout.Sequences, rollout.Logprobs, rollout.Values, advantages, gae.Returns), statistics);
    }
}

/// <summary>What the PPO epochs learn from: the rollout with its advantages (whitened) and returns, [batch, seq − 1].</summary>
public sealed record Experience(SequenceBatch Sequences, Tensor Logprobs, Tensor Values, Tensor Advantages, Tensor Returns)
{
    public long Count => Sequences.InputIds.shape[0];

    /// <summary>The given rows, cut to their longest real sequence (tensors in the caller's dispose scope).</summary>
    public Experience Rows(long[] rows)
    {
        var index = tensor(rows, device: Sequences.InputIds.device);
        var attention = Sequences.AttentionMask.index_select(0, index);
        long length = attention.sum(1).max().item<long>();
        Tensor Take(Tensor t, long columns) => t.index_select(0, index).narrow(1, 0, columns);
        return new Experience(
            new SequenceBatch(Take(Sequences.InputIds, length), attention.narrow(1, 0, length), Take(Sequences.ActionMask, length - 1)),
            Take(Logprobs, length - 1), Take(Values, length - 1), Take(Advantages, length - 1), Take(Returns, length - 1));
    }
}
