using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>Options of the chain-of-thought judge.</summary>
public sealed record ChainOfThoughtJudgeOptions : PluginOptions
{
    /// <summary>Model role of the feedback model; "feedback" falls back to the policy when the recipe gives no feedback model.</summary>
    public string Model { get; init; } = FeedbackModel.Role;

    /// <summary>Most tokens of reasoning; the reasoning also ends at the first newline.</summary>
    public int MaxNewTokens { get; init; } = 48;

    /// <summary>Sampling temperature of the reasoning; 0 is greedy.</summary>
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Nucleus sampling threshold of the reasoning.</summary>
    public float TopP { get; init; } = 1.0f;

    /// <summary>Sequences per forward batch when sampling reasoning.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Lowest soft label: reasoning makes answers near-certain, and extreme labels teach extreme preferences.</summary>
    public double ClampMin { get; init; } = 0.4;

    /// <summary>Highest soft label.</summary>
    public double ClampMax { get; init; } = 0.6;
}
