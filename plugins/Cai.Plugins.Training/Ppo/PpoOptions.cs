using Cai.Abstractions.Plugins;
using Cai.Plugins.Training.Objectives;

namespace Cai.Plugins.Training.Ppo;

/// <summary>Options of the ppo trainer (RL-CAI): PPO against the AI-feedback reward model, TRL's PPOTrainer names.</summary>
public sealed record PpoOptions : PluginOptions
{
    /// <summary>Rollout iterations: each samples a batch of prompts, scores the responses and runs the PPO epochs.</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Prompts per rollout batch (one response each).</summary>
    public int RolloutBatchSize { get; init; } = 16;

    /// <summary>Rollout rows per optimizer step; a rollout batch gives rollout_batch_size / mini_batch_size steps per epoch.</summary>
    public int MiniBatchSize { get; init; } = 8;

    /// <summary>Passes of PPO updates over each rollout batch.</summary>
    public int PpoEpochs { get; init; } = 2;

    /// <summary>Constant learning rate of AdamW (policy and value head).</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Clip gradients to this global norm (0: no clipping).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Tokens sampled per response at most; a response also ends at eos or the chat format's stop string.</summary>
    public int MaxNewTokens { get; init; } = 48;

    /// <summary>Sampling temperature of rollouts; log-probs are taken from logits divided by it, as TRL does.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>β of the per-token KL penalty (the initial value when adaptive_kl is on).</summary>
    public double KlCoef { get; init; } = 0.05;

    /// <summary>Per-token KL estimator of the penalty: k1 (log π − log π_ref, TRL's default), k2 or k3.</summary>
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K1;

    /// <summary>Adapt kl_coef toward target_kl (Ziegler et al. 2019) instead of keeping it fixed.</summary>
    public bool AdaptiveKl { get; init; }

    /// <summary>Sequence KL the adaptive controller aims at.</summary>
    public double TargetKl { get; init; } = 6.0;

    /// <summary>Horizon of the adaptive controller, in rollout samples.</summary>
    public int KlHorizon { get; init; } = 10000;

    /// <summary>Stop the PPO epochs of a rollout batch (skipping that update) when the mean per-token approx KL between the
    /// current and the rollout policy exceeds this (0: never).</summary>
    public double EarlyStopKl { get; init; } = 0.1;

    /// <summary>γ: discount of GAE.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>λ: bias-variance trade-off of GAE.</summary>
    public double Lam { get; init; } = 0.95;

    /// <summary>ε of the clipped policy loss.</summary>
    public double Cliprange { get; init; } = 0.2;

    /// <summary>Clip range of the value loss around the rollout values.</summary>
    public double CliprangeValue { get; init; } = 0.2;

    /// <summary>Weight of the value loss.</summary>
    public double VfCoef { get; init; } = 0.1;

    /// <summary>Weight of the entropy bonus (0: none).</summary>
    public double EntropyCoef { get; init; }

    /// <summary>Scale the per-token rewards to unit variance over the batch (mean kept) before GAE.</summary>
    public bool WhitenRewards { get; init; }

    /// <summary>Iterations between resumable checkpoints (0: none).</summary>
    public int SaveSteps { get; init; } = 10;

    internal void Validate()
    {
        if (Steps < 1) throw new ArgumentException("steps must be at least 1");
        if (RolloutBatchSize < 2) throw new ArgumentException("rollout_batch_size must be at least 2 (advantages are whitened over the batch)");
        if (MiniBatchSize < 1 || MiniBatchSize > RolloutBatchSize) throw new ArgumentException("mini_batch_size must be in [1, rollout_batch_size]");
        if (PpoEpochs < 1) throw new ArgumentException("ppo_epochs must be at least 1");
        if (MaxNewTokens < 1) throw new ArgumentException("max_new_tokens must be at least 1");
        if (!(Temperature > 0)) throw new ArgumentException("temperature must be positive (PPO needs sampled rollouts)");
        if (KlCoef < 0) throw new ArgumentException("kl_coef must not be negative");
    }
}
