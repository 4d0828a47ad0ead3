using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Training.Sft;

/// <summary>Options of the sft trainer (SL-CAI): causal LM loss on response tokens of revisions and helpful samples.</summary>
public sealed record SftOptions : PluginOptions
{
    /// <summary>Passes over the dataset.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps (overrides epochs).</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Peak learning rate of AdamW.</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Fraction of steps of linear warmup before the cosine decay.</summary>
    public double WarmupRatio { get; init; } = 0.05;

    /// <summary>Clip gradients to this global norm.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>
    /// Type of the forward and backward passes: fp32, or bf16 (bfloat16 weights, activations and gradients with float32
    /// master weights and AdamW state; about half the memory traffic, for GPUs). The saved checkpoint is float32 either way.
    /// </summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>Examples per micro-batch (length-bucketed).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Tokens per example at most (prompt + completion); longer ones are cut.</summary>
    public int MaxLength { get; init; } = 384;

    /// <summary>Which revisions to learn from: all rounds (the paper) or only the last.</summary>
    public string RevisionRounds { get; init; } = "all";

    /// <summary>Helpful examples per revision example, at most (the paper mixes both); 0 leaves them out.</summary>
    public double HelpfulRatio { get; init; } = 1.0;

    /// <summary>Held-out fraction for the eval loss.</summary>
    public double EvalFraction { get; init; } = 0.05;

    /// <summary>Steps between resumable checkpoints (0: none).</summary>
    public int SaveSteps { get; init; } = 50;

    /// <summary>Steps between metric rows.</summary>
    public int LoggingSteps { get; init; } = 5;
}
