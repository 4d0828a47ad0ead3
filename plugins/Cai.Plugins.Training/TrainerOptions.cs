using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;
using Cai.Models.Training;

namespace Cai.Plugins.Training;

/// <summary>
/// The options every trainer shares, as TRL's configs share Hugging Face's TrainingArguments: AdamW's learning rate,
/// weight decay and gradient clipping, and the resumable saves kept. Each option's doc comment, range and default are
/// here once; a trainer whose default differs sets it in its options' constructor.
/// </summary>
public abstract record OptimizerOptions : PluginOptions
{
    /// <summary>Peak learning rate of AdamW on every trained weight (reward: trunk and score head; ppo: policy and value head,
    /// at a constant rate).</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; }

    /// <summary>Clip gradients to this global norm (0: no clipping).</summary>
    [Range(0.0, 1e6)]
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Resumable saves kept (the newest; Hugging Face's save_total_limit): <c>cai run --from-step N</c> can restart
    /// from any of them.</summary>
    [Range(1, 1000)]
    public int SaveTotalLimit { get; init; } = 2;
}

/// <summary>
/// The options of a trainer that runs <see cref="TrainingLoop{TBatch}"/> over a dataset in epochs (sft, reward, dpo),
/// converted once to the loop's <see cref="TrainingOptions"/>.
/// </summary>
public abstract record TrainerOptions : OptimizerOptions
{
    /// <summary>Passes over the training data.</summary>
    [Range(1, 10_000)]
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps (overrides epochs).</summary>
    [Range(1, 100_000_000)]
    public int? MaxSteps { get; init; }

    /// <summary>Fraction of steps of linear warmup before the cosine decay.</summary>
    [Range(0.0, 1.0)]
    public double WarmupRatio { get; init; } = 0.05;

    /// <summary>
    /// Type of the forward and backward passes: fp32, or bf16 (bfloat16 weights, activations and gradients with float32
    /// master weights and AdamW state; about half the memory traffic, for GPUs). The saved checkpoint is float32 either way.
    /// </summary>
    [AllowedValues("fp32", "bf16")]
    public string Precision { get; init; } = "fp32";

    /// <summary>Examples per optimizer step, length-bucketed (a comparison is one example of two sequences).</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 8;

    /// <summary>Tokens per sequence at most (prompt + response + eos); longer ones are cut.</summary>
    [Range(2, 1 << 20)]
    public int MaxLength { get; init; } = 384;

    /// <summary>Held-out fraction of the training data, for the eval_ metrics (eval_loss; reward's eval_accuracy, dpo's
    /// eval_rewards/*).</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double EvalFraction { get; init; } = 0.1;

    /// <summary>Steps between resumable checkpoints (0: none).</summary>
    [Range(0, int.MaxValue)]
    public int SaveSteps { get; init; } = 50;

    /// <summary>Steps between metric rows.</summary>
    [Range(1, int.MaxValue)]
    public int LoggingSteps { get; init; } = 5;

    /// <summary>The loop's hyperparameters, with the run's seed.</summary>
    public virtual TrainingOptions ToTrainingOptions(int seed) => new()
    {
        Epochs = Epochs,
        MaxSteps = MaxSteps,
        LearningRate = LearningRate,
        WeightDecay = WeightDecay,
        WarmupRatio = WarmupRatio,
        MaxGradNorm = MaxGradNorm,
        SaveSteps = SaveSteps,
        LoggingSteps = LoggingSteps,
        Seed = seed,
        Precision = TrainingPrecisions.Parse(Precision),
    };
}

/// <summary>The options of a trainer on labelled comparisons (reward, dpo), which evaluates its held-out pairs as it goes.</summary>
public abstract record PreferenceTrainerOptions : TrainerOptions
{
    /// <summary>Steps between evaluations on the held-out comparisons (0: only at the end).</summary>
    [Range(0, int.MaxValue)]
    public int EvalSteps { get; init; } = 50;

    public override TrainingOptions ToTrainingOptions(int seed) => base.ToTrainingOptions(seed) with { EvalSteps = EvalSteps };
}
