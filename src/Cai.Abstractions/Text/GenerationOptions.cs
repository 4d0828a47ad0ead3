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

    /// <summary>
    /// Seed of the call, used when <see cref="Seeds"/> is null: prompt i's seed is then a fixed hash of (Seed, i).
    /// The same seeds and inputs give the same tokens on every device.
    /// </summary>
    public long Seed { get; init; } = 42;

    /// <summary>
    /// One seed per prompt (same count as the prompts), or null to derive prompt i's seed from <see cref="Seed"/>
    /// and i. Sample j of prompt i draws its randomness from a sequence seed that is a fixed hash of (Seeds[i], j)
    /// alone, so its tokens do not depend on the batch size, the order of the prompts or which other prompts share
    /// the call. Give each prompt a seed derived from its identity (e.g. run seed, stage and prompt id) to make its
    /// samples independent of how prompts are grouped into calls.
    /// </summary>
    public IReadOnlyList<long>? Seeds { get; init; }

    /// <summary>Generation of a sequence stops after any of these strings (not included in the text).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>
    /// Whether the end-of-sequence token is generated like any other token, so every sequence runs to
    /// <see cref="MaxNewTokens"/> or a stop string (for benchmarks; vLLM's ignore_eos). Eos tokens are left out of the text.
    /// </summary>
    public bool IgnoreEos { get; init; }

    /// <summary>
    /// Most sequences decoded together; when one finishes, a waiting one takes its place. Changes speed and memory,
    /// not the tokens (see <see cref="Seeds"/>).
    /// </summary>
    public int BatchSize { get; init; } = 16;
}
