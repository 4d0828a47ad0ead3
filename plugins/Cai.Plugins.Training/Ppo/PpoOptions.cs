using System.ComponentModel.DataAnnotations;
using Cai.Plugins.Training.Objectives;

namespace Cai.Plugins.Training.Ppo;

/// <summary>Options of the ppo trainer (RL-CAI): PPO against the AI-feedback reward model, TRL's PPOTrainer names.</summary>
public sealed record PpoOptions : OptimizerOptions, IValidatableObject
{
    /// <summary>The ppo trainer's defaults where they differ from <see cref="OptimizerOptions"/>'s.</summary>
    public PpoOptions()
    {
        LearningRate = 2e-5;
    }

    /// <summary>Rollout iterations: each samples a batch of prompts, scores the responses and runs the PPO epochs.</summary>
    [Range(1, 1_000_000)]
    public int Steps { get; init; } = 40;

    /// <summary>Prompts per rollout batch (one response each).</summary>
    [Range(2, 4096)]
    public int RolloutBatchSize { get; init; } = 16;

    /// <summary>Rollout rows per optimizer step; a rollout batch gives rollout_batch_size / mini_batch_size steps per epoch.</summary>
    [Range(1, 4096)]
    public int MiniBatchSize { get; init; } = 8;

    /// <summary>Passes of PPO updates over each rollout batch.</summary>
    [Range(1, 100)]
    public int PpoEpochs { get; init; } = 2;

    /// <summary>Tokens sampled per response at most; a response also ends at eos or the chat format's stop string.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 48;

    /// <summary>Sampling temperature of rollouts; log-probs are taken from logits divided by it, as TRL does.</summary>
    [Range(0.0, 100.0, MinimumIsExclusive = true)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>β of the per-token KL penalty (the initial value when adaptive_kl is on).</summary>
    [Range(0.0, 1000.0)]
    public double KlCoef { get; init; } = 0.05;

    /// <summary>Per-token KL estimator of the penalty: k1 (log π − log π_ref, TRL's default), k2 or k3.</summary>
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K1;

    /// <summary>Adapt kl_coef toward target_kl (Ziegler et al. 2019) instead of keeping it fixed.</summary>
    public bool AdaptiveKl { get; init; }

    /// <summary>Sequence KL the adaptive controller aims at.</summary>
    [Range(0.0, 1e6, MinimumIsExclusive = true)]
    public double TargetKl { get; init; } = 6.0;

    /// <summary>Horizon of the adaptive controller, in rollout samples.</summary>
    [Range(1, int.MaxValue)]
    public int KlHorizon { get; init; } = 10000;

    /// <summary>Stop the PPO epochs of a rollout batch (skipping that update) when the mean per-token approx KL between the
    /// current and the rollout policy exceeds this (0: never).</summary>
    [Range(0.0, 1e6)]
    public double EarlyStopKl { get; init; } = 0.1;

    /// <summary>γ: discount of GAE.</summary>
    [Range(0.0, 1.0)]
    public double Gamma { get; init; } = 1.0;

    /// <summary>λ: bias-variance trade-off of GAE.</summary>
    [Range(0.0, 1.0)]
    public double Lam { get; init; } = 0.95;

    /// <summary>ε of the clipped policy loss.</summary>
    [Range(0.0, 10.0, MinimumIsExclusive = true)]
    public double Cliprange { get; init; } = 0.2;

    /// <summary>Clip range of the value loss around the rollout values.</summary>
    [Range(0.0, 1e6, MinimumIsExclusive = true)]
    public double CliprangeValue { get; init; } = 0.2;

    /// <summary>Weight of the value loss.</summary>
    [Range(0.0, 1000.0)]
    public double VfCoef { get; init; } = 0.1;

    /// <summary>Weight of the entropy bonus (0: none).</summary>
    [Range(0.0, 1000.0)]
    public double EntropyCoef { get; init; }

    /// <summary>Scale the per-token rewards to unit variance over the batch (mean kept) before GAE.</summary>
    public bool WhitenRewards { get; init; }

    /// <summary>Iterations between resumable checkpoints (0: none).</summary>
    [Range(0, int.MaxValue)]
    public int SaveSteps { get; init; } = 10;

    /// <summary>Rules across options; the ranges are on the properties.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MiniBatchSize > RolloutBatchSize)
            yield return new ValidationResult($"must be at most rollout_batch_size ({RolloutBatchSize}), got {MiniBatchSize}",
                [nameof(MiniBatchSize)]);
    }
}
