using System.ComponentModel.DataAnnotations;

namespace Cai.Sandbox.Evaluation;

/// <summary>How the evaluator samples a model.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Samples per prompt.</summary>
    [Range(1, 1024)]
    public int Samples { get; init; } = 1;

    /// <summary>Sampling temperature; 0 is greedy.</summary>
    [Range(0.0, 100.0)]
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Most tokens per answer.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 96;

    /// <summary>Sampling seed.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Sequences per forward batch.</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 16;

    /// <summary>Worked critique–revision examples (from the constitution) shown before each critic or reviser prompt.</summary>
    [Range(0, 64)]
    public int FewShot { get; init; }
}
