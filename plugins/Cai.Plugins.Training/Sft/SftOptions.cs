using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Training.Sft;

/// <summary>Options of the sft trainer (SL-CAI): causal LM loss on response tokens of revisions and helpful samples.</summary>
public sealed record SftOptions : PluginOptions
{
    /// <summary>Passes over the dataset.</summary>
    [Range(1, 10_000)]
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps (overrides epochs).</summary>
    [Range(1, 100_000_000)]
    public int? MaxSteps { get; init; }

    /// <summary>Peak learning rate of AdamW.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; } = 0.1;

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

    /// <summary>Examples per micro-batch (length-bucketed).</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 16;

    /// <summary>Tokens per example at most (prompt + completion); longer ones are cut.</summary>
    [Range(2, 1 << 20)]
    public int MaxLength { get; init; } = 384;

    /// <summary>Which revisions to learn from: all rounds (the paper) or only the last.</summary>
    [AllowedValues("all", "last")]
    public string RevisionRounds { get; init; } = "all";

    /// <summary>Helpful examples per revision example, at most (the paper mixes both); 0 leaves them out.</summary>
    [Range(0.0, 1000.0)]
    public double HelpfulRatio { get; init; } = 1.0;

    /// <summary>Held-out fraction for the eval loss.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double EvalFraction { get; init; } = 0.05;

    /// <summary>Steps between resumable checkpoints (0: none).</summary>
    [Range(0, int.MaxValue)]
    public int SaveSteps { get; init; } = 50;

    /// <summary>Steps between metric rows.</summary>
    [Range(1, int.MaxValue)]
    public int LoggingSteps { get; init; } = 5;
}
