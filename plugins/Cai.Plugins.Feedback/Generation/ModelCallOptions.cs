using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Generation;

/// <summary>Options shared by plugins that ask a text model for a continuation.</summary>
public abstract record ModelCallOptions : PluginOptions
{
    /// <summary>Model role in the recipe that this plugin calls (the paper's model critiques and revises itself).</summary>
    public string Model { get; init; } = "policy";

    /// <summary>Most tokens generated per call.</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Sampling temperature (the paper uses 1 for critiques and revisions); 0 is greedy.</summary>
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Nucleus sampling threshold.</summary>
    public float TopP { get; init; } = 1.0f;

    /// <summary>How many of the constitution's few-shot examples precede each transcript.</summary>
    public int FewShotExamples { get; init; } = 1;

    /// <summary>Sequences per forward batch.</summary>
    public int BatchSize { get; init; } = 16;
}
