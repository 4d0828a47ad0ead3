namespace Cai.Models.Generation;

/// <summary>
/// The randomness of generation, computed on the host by SplitMix64 (a counter-based generator: the k-th number of a
/// stream is a hash of its seed and k, with no state to carry). A sequence's seed comes from its prompt's seed and
/// its sample index; its step-t uniform from the sequence seed and t. Nothing depends on the batch, the device or the
/// order of calls, so a sequence's tokens are the same however it is batched and wherever it runs.
/// </summary>
public static class SamplingSeeds
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const ulong PromptStream = 0x50524F4D50545321UL;   // separate streams for the three derivations
    private const ulong SequenceStream = 0x53455155454E4345UL;

    /// <summary>Prompt <paramref name="promptIndex"/>'s seed when a call gives one seed (<c>GenerationOptions.Seed</c>).</summary>
    public static long PromptSeed(long callSeed, int promptIndex) => (long)Output(Mix((ulong)callSeed ^ PromptStream), promptIndex);

    /// <summary>The seed of sample <paramref name="sampleIndex"/> of a prompt whose seed is <paramref name="promptSeed"/>.</summary>
    public static long SequenceSeed(long promptSeed, int sampleIndex) => (long)Output(Mix((ulong)promptSeed ^ SequenceStream), sampleIndex);

    /// <summary>The uniform number in (0, 1) that picks the token of decoding step <paramref name="step"/> of a sequence.</summary>
    public static double Uniform(long sequenceSeed, int step) => ((Output((ulong)sequenceSeed, step) >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>Uniforms of steps 0..count-1 of a sequence, written into <paramref name="into"/>.</summary>
    public static void Uniforms(long sequenceSeed, Span<double> into)
    {
        for (int t = 0; t < into.Length; t++) into[t] = Uniform(sequenceSeed, t);
    }

    /// <summary>SplitMix64's k-th output of the stream that starts at <paramref name="state"/>.</summary>
    private static ulong Output(ulong state, int k) => Mix(unchecked(state + Gamma * ((ulong)k + 1)));

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
