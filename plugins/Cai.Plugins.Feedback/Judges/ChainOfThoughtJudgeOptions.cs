using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;

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
