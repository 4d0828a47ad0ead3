using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Training.Dpo;

/// <summary>Options of the dpo trainer (RL-CAI without a reward model), in TRL DPOConfig's names.</summary>
public sealed record DpoOptions : PluginOptions
{
    /// <summary>β: strength of the implicit KL constraint toward the reference (higher stays closer).</summary>
    [Range(0.0, 1000.0, MinimumIsExclusive = true)]
    public double Beta { get; init; } = 0.1;

    /// <summary>Use each pair's soft label p_chosen as P(chosen is better) (the CAI paper's soft preference labels).</summary>
    public bool SoftLabels { get; init; } = true;

    /// <summary>ε of conservative DPO when soft_labels is false: every pair gets P(chosen is better) = 1 − ε.</summary>
    [Range(0.0, 0.5, MaximumIsExclusive = true)]
    public double LabelSmoothing { get; init; }

    /// <summary>Passes over the training comparisons.</summary>
    [Range(1, 10_000)]
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps (overrides epochs).</summary>
    [Range(1, 100_000_000)]
    public int? MaxSteps { get; init; }

    /// <summary>Peak learning rate of AdamW (5e-5 to 1e-4 suits tiny models; TRL's 1e-6 suits large ones).</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; }

    /// <summary>Fraction of steps of linear warmup before the cosine decay.</summary>
    [Range(0.0, 1.0)]
    public double WarmupRatio { get; init; } = 0.1;

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

    /// <summary>Held-out fraction of the comparisons, for the eval_ metrics.</summary>
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
