namespace Cai.Models.Training;

/// <summary>Hyperparameters of <see cref="TrainingLoop{TBatch}"/> (Hugging Face TrainingArguments names).</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps (null: run all epochs).</summary>
    public int? MaxSteps { get; init; }

    public double LearningRate { get; init; } = 3e-4;

    public double WeightDecay { get; init; } = 0.1;

    public double AdamBeta1 { get; init; } = 0.9;

    public double AdamBeta2 { get; init; } = 0.95;

    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Warmup steps; when null, <see cref="WarmupRatio"/> of the total steps.</summary>
    public int? WarmupSteps { get; init; }

    public double WarmupRatio { get; init; }

    public double MinLearningRateRatio { get; init; }

    /// <summary>Clip the global gradient norm to this (0: no clipping; the norm is still reported).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    public int GradientAccumulationSteps { get; init; } = 1;

    public int LoggingSteps { get; init; } = 10;

    /// <summary>Evaluate every this many steps (0: only at the end, when eval batches are given).</summary>
    public int EvalSteps { get; init; }

    /// <summary>Call the checkpoint delegate every this many steps (0: never).</summary>
    public int SaveSteps { get; init; }

    /// <summary>Seeds the torch generator (dropout, init) at the start of a fresh run.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Type of the forward and backward passes (see <see cref="MasterWeights"/> for bfloat16); the weights kept and saved are float32 either way.</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Float32;

    internal void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1, got {Epochs}.");
        if (MaxSteps is < 1) throw new ArgumentException($"MaxSteps must be at least 1, got {MaxSteps}.");
        if (GradientAccumulationSteps < 1) throw new ArgumentException($"GradientAccumulationSteps must be at least 1, got {GradientAccumulationSteps}.");
        if (LearningRate <= 0 || !double.IsFinite(LearningRate)) throw new ArgumentException($"LearningRate must be positive, got {LearningRate}.");
        if (WarmupRatio is < 0 or > 1) throw new ArgumentException($"WarmupRatio must be in [0, 1], got {WarmupRatio}.");
        if (LoggingSteps < 1) throw new ArgumentException($"LoggingSteps must be at least 1, got {LoggingSteps}.");
    }
}

/// <summary>Type of a trainer's forward and backward passes (recipes: <c>precision: fp32 | bf16</c>).</summary>
public enum TrainingPrecision
{
    /// <summary>Everything in float32.</summary>
    Float32,

    /// <summary>bfloat16 weights, activations and gradients; float32 master weights and AdamW state (<see cref="MasterWeights"/>).</summary>
    BFloat16,
}

/// <summary>The recipe names of <see cref="TrainingPrecision"/>.</summary>
public static class TrainingPrecisions
{
    /// <summary>"fp32" or "bf16"; anything else is an <see cref="ArgumentException"/> naming <paramref name="option"/>.</summary>
    public static TrainingPrecision Parse(string value, string option = "precision") => value switch
    {
        "fp32" => TrainingPrecision.Float32,
        "bf16" => TrainingPrecision.BFloat16,
        _ => throw new ArgumentException($"{option} must be fp32 or bf16, not '{value}'."),
    };
}
