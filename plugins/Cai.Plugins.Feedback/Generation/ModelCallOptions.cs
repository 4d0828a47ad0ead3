using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Generation;

/// <summary>Options shared by plugins that ask a text model for a continuation.</summary>
public abstract record ModelCallOptions : PluginOptions
{
    /// <summary>Model role in the recipe that this plugin calls (the paper's model critiques and revises itself).</summary>
    public string Model { get; init; } = "policy";

    /// <summary>Most tokens generated per call.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Sampling temperature (the paper uses 1 for critiques and revisions); 0 is greedy.</summary>
    [Range(0.0, 100.0)]
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Nucleus sampling threshold.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public float TopP { get; init; } = 1.0f;

    /// <summary>How many of the constitution's few-shot examples precede each transcript.</summary>
    [Range(0, 64)]
    public int FewShotExamples { get; init; } = 1;

    /// <summary>Sequences per forward batch.</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 16;
}
