namespace Cai.Sandbox.Evaluation;

/// <summary>How the evaluator samples a model.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Samples per prompt.</summary>
    public int Samples { get; init; } = 1;

    public float Temperature { get; init; } = 1.0f;

    public int MaxNewTokens { get; init; } = 96;

    public long Seed { get; init; } = 42;

    public int BatchSize { get; init; } = 16;

    /// <summary>Worked critique–revision examples (from the constitution) shown before each critic or reviser prompt.</summary>
    public int FewShot { get; init; }
}
