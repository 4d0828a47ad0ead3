using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>Options of the chain-of-thought judge.</summary>
public sealed record ChainOfThoughtJudgeOptions : PluginOptions, IValidatableObject
{
    /// <summary>Model role of the feedback model; "feedback" falls back to the policy when the recipe gives no feedback model.</summary>
    public string Model { get; init; } = FeedbackModel.Role;

    /// <summary>Most tokens of reasoning; the reasoning also ends at the first newline.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 48;

    /// <summary>Sampling temperature of the reasoning; 0 is greedy.</summary>
    [Range(0.0, 100.0)]
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Nucleus sampling threshold of the reasoning.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public float TopP { get; init; } = 1.0f;

    /// <summary>Sequences per forward batch when sampling reasoning.</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 16;

    /// <summary>Lowest soft label: reasoning makes answers near-certain, and extreme labels teach extreme preferences.</summary>
    [Range(0.0, 1.0)]
    public double ClampMin { get; init; } = 0.4;

    /// <summary>Highest soft label.</summary>
    [Range(0.0, 1.0)]
    public double ClampMax { get; init; } = 0.6;

    /// <summary>clamp_min must be below clamp_max.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ClampMin >= ClampMax)
            yield return new ValidationResult($"must be greater than clamp_min ({ClampMin}), got {ClampMax}", [nameof(ClampMax)]);
    }
}

/// <summary>
/// The feedback model reasons step by step, then answers; the soft label is clamped (default [0.4, 0.6]) because
/// reasoning makes the answer probabilities near 0 or 1. The rationale is the reasoning.
/// </summary>
[CaiPlugin("chain-of-thought", Description = "Reason step by step, then answer (A) or (B); soft label clamped to [clamp_min, clamp_max].")]
public sealed class ChainOfThoughtJudge(PluginContext context, ChainOfThoughtJudgeOptions options) : IJudge
{
    private readonly ProbabilityRange _range = new(options.ClampMin, options.ClampMax);

    public async Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var model = FeedbackModel.Resolve(context, options.Model);
        var reasoningPrompts = batch.Select(r => ReasoningPrompt.ForReasoning(model, r)).ToList();
        var reasoning = await ReasoningSampler.SampleAsync(
            model, reasoningPrompts, options, context.Provenance, [.. batch.Select(r => r.ItemId)], cancellationToken);
        var answerPrompts = batch.Select((r, i) => ReasoningPrompt.ForAnswer(model, r, reasoning[i])).ToList();
        var labels = await ChoiceScores.ProbabilitiesOfA(model, answerPrompts, cancellationToken);
        return batch.Select((r, i) => new Preference(r.ItemId, _range.Clamp(labels[i].ProbabilityA), reasoning[i])
        {
            Method = labels[i].Method,
        }).ToList();
    }
}

/// <summary>One line of reasoning per prompt, each seeded by the judge's seed, its name and its item.</summary>
public static class ReasoningSampler
{
    /// <summary>Samples the reasoning of prompts[i] with the seed of itemIds[i].</summary>
    public static async Task<IReadOnlyList<string>> SampleAsync(ITextModel model, IReadOnlyList<string> prompts,
        ChainOfThoughtJudgeOptions options, Provenance judge, IReadOnlyList<string> itemIds, CancellationToken cancellationToken)
    {
        var generation = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            BatchSize = options.BatchSize,
            StopStrings = ["\n"],
            Seeds = Continuations.SeedsFor(judge, itemIds),
        };
        var results = await model.GenerateAsync(prompts, generation, cancellationToken);
        return results.Select(samples => ReasoningPrompt.Clean(samples[0].Text)).ToList();
    }
}

/// <summary>A closed range that soft labels are clamped to, e.g. [0.4, 0.6] for chain-of-thought judges.</summary>
public readonly record struct ProbabilityRange
{
    /// <summary>The chain-of-thought default: reasoning makes answers near-certain, which would teach extreme preferences.</summary>
    public static ProbabilityRange ChainOfThought { get; } = new(0.4, 0.6);

    /// <summary>No clamping.</summary>
    public static ProbabilityRange Unit { get; } = new(0.0, 1.0);

    public ProbabilityRange(double min, double max)
    {
        if (!(min >= 0.0 && min <= max && max <= 1.0))
            throw new ArgumentOutOfRangeException(nameof(min), $"Need 0 <= min <= max <= 1, got [{min}, {max}].");
        Min = min;
        Max = max;
    }

    public double Min { get; }

    public double Max { get; }

    public double Clamp(double probability) => Math.Clamp(probability, Min, Max);

    public double[] Clamp(ReadOnlySpan<double> probabilities)
    {
        var result = new double[probabilities.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = Clamp(probabilities[i]);
        return result;
    }
}
