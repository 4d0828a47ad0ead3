namespace Cai.Abstractions.Text;

/// <summary>How a text model samples continuations.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens generated after the prompt.</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Softmax temperature; 0 means greedy decoding.</summary>
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Keep only the k most likely tokens; 0 disables.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches p; 1 disables.</summary>
    public float TopP { get; init; } = 1.0f;

    /// <summary>Samples per prompt.</summary>
    public int NumReturnSequences { get; init; } = 1;

    /// <summary>Seed of the sampler; the same seed and inputs give the same outputs on CPU.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Generation of a sequence stops after any of these strings (not included in the text).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Most sequences in one forward batch; larger requests are split.</summary>
    public int BatchSize { get; init; } = 16;
}
