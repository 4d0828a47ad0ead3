using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Training.Reward;

/// <summary>Options of the reward trainer (RL-CAI's preference model), in TRL RewardConfig's names.</summary>
public sealed record RewardOptions : PluginOptions
{
    /// <summary>Passes over the training comparisons.</summary>
    [Range(1, 10_000)]
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps (overrides epochs).</summary>
    [Range(1, 100_000_000)]
    public int? MaxSteps { get; init; }

    /// <summary>Peak learning rate of AdamW (trunk and score head).</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Fraction of steps of linear warmup before the cosine decay.</summary>
    [Range(0.0, 1.0)]
    public double WarmupRatio { get; init; } = 0.05;

    /// <summary>Clip gradients to this global norm.</summary>
    [Range(0.0, 1e6)]
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>
    /// Type of the forward and backward passes: fp32, or bf16 (bfloat16 weights, activations and gradients with float32
    /// master weights and AdamW state; about half the memory traffic, for GPUs). The saved checkpoint is float32 either way.
    /// </summary>
    [AllowedValues("fp32", "bf16")]
    public string Precision { get; init; } = "fp32";

    /// <summary>Comparisons per optimizer step (each is two sequences).</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 8;

    /// <summary>Tokens per sequence at most (prompt + response + eos); longer ones are cut.</summary>
    [Range(2, 1 << 20)]
    public int MaxLength { get; init; } = 384;

    /// <summary>Held-out fraction of the comparisons, for eval_loss and eval_accuracy.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double EvalFraction { get; init; } = 0.1;

    /// <summary>Steps between evaluations on the held-out comparisons (0: only at the end).</summary>
    [Range(0, int.MaxValue)]
    public int EvalSteps { get; init; } = 50;

    /// <summary>Steps between resumable checkpoints (0: none).</summary>
    [Range(0, int.MaxValue)]
    public int SaveSteps { get; init; } = 50;

    /// <summary>Steps between metric rows.</summary>
    [Range(1, int.MaxValue)]
    public int LoggingSteps { get; init; } = 5;
}
