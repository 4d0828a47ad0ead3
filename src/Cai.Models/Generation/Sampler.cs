using static TorchSharp.torch;

namespace Cai.Models.Generation;

/// <summary>How one sequence picks its tokens.</summary>
/// <param name="Temperature">Softmax temperature; 0 is greedy (argmax). At least 0.</param>
/// <param name="TopK">Keep only the k most likely tokens; 0 disables. At least 0.</param>
/// <param name="TopP">Keep the smallest set of most likely tokens whose probability reaches p (after top-k); 1 disables. In (0, 1].</param>
public sealed record SamplingSettings(float Temperature = 1.0f, int TopK = 0, float TopP = 1.0f)
{
    /// <summary>Argmax decoding.</summary>
    public bool IsGreedy => Temperature <= 0;

    /// <summary>Whether top-k or top-p removes tokens from a vocabulary of <paramref name="vocab"/> (a sorted sampling path).</summary>
    public bool IsFiltered(long vocab) => !IsGreedy && ((TopK > 0 && TopK < vocab) || TopP < 1.0f);

    /// <summary>Throws a one-line error naming the first setting out of its range.</summary>
    public void Validate()
    {
        if (!float.IsFinite(Temperature) || Temperature < 0) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be finite and at least 0.");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top_k must be at least 0 (0 disables it).");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top_p must be in (0, 1] (1 disables it).");
    }
}

/// <summary>Which sampling computations a batch needs (known on the host from its rows' settings).</summary>
[Flags]
public enum SamplingPaths
{
    /// <summary>No row.</summary>
    None = 0,

    /// <summary>Some row is greedy.</summary>
    Greedy = 1,

    /// <summary>Some row samples from the whole tempered distribution.</summary>
    Plain = 2,

    /// <summary>Some row samples after top-k or top-p.</summary>
    Filtered = 4,
}

/// <summary>
/// Picks next tokens on the device, for rows with their own settings, from uniforms drawn on the host
/// (<see cref="SamplingSeeds"/>): no torch Generator, so it works on every device, and the same logits with the same
/// uniforms give the same tokens on CPU and CUDA. Sampling is by inverse CDF in float64: the token is the number of
/// entries whose cumulative probability is below u times the total. Greedy rows take the argmax. Filtered rows sample in
/// the (stable) descending order of their logits, unfiltered rows in vocabulary order, so a row's token depends only on
/// its own logits, settings and uniform, never on the other rows of its batch.
/// </summary>
public static class Sampler
{
    /// <summary>Columns of a row of the settings tensor: divisor (temperature, 1 when greedy), top-k (vocab when off), top-p, greedy flag, filtered flag.</summary>
    public const int SettingColumns = 5;

    /// <summary>The row of the settings tensor for <paramref name="settings"/>, written into <paramref name="row"/>.</summary>
    public static void WriteRow(SamplingSettings settings, long vocab, Span<double> row)
    {
        row[0] = settings.IsGreedy ? 1.0 : settings.Temperature;
        row[1] = settings.TopK > 0 && settings.TopK < vocab ? settings.TopK : vocab;
        row[2] = settings.TopP;
        row[3] = settings.IsGreedy ? 1 : 0;
        row[4] = settings.IsFiltered(vocab) ? 1 : 0;
    }

    /// <summary>The computations that rows with these settings need.</summary>
    public static SamplingPaths PathsOf(IEnumerable<SamplingSettings> rows, long vocab)
    {
        var paths = SamplingPaths.None;
        foreach (var s in rows)
            paths |= s.IsGreedy ? SamplingPaths.Greedy : s.IsFiltered(vocab) ? SamplingPaths.Filtered : SamplingPaths.Plain;
        return paths;
    }

    /// <summary>A [rows, <see cref="SettingColumns"/>] float64 settings tensor on <paramref name="device"/>.</summary>
    public static Tensor SettingsTensor(IReadOnlyList<SamplingSettings> rows, long vocab, Device device)
    {
        var data = new double[rows.Count * SettingColumns];
        for (int r = 0; r < rows.Count; r++) WriteRow(rows[r], vocab, data.AsSpan(r * SettingColumns, SettingColumns));
        return tensor(data, [rows.Count, SettingColumns], device: device);
    }

    /// <summary>
    /// Next token ids, [rows] int64, for <paramref name="logits"/> [rows, vocab]; -1 for a row whose logits hold NaN or
    /// +Inf (or are all -Inf).
    /// </summary>
    /// <param name="logits">[rows, vocab] next-token logits.</param>
    /// <param name="uniforms">[rows] float64 in (0, 1), one per row (unused by greedy rows).</param>
    /// <param name="settings">[rows, <see cref="SettingColumns"/>] float64 (see <see cref="WriteRow"/>).</param>
    /// <param name="paths">What the rows need (<see cref="PathsOf"/>); rows of a kind not listed get a wrong token.</param>
    public static Tensor Next(Tensor logits, Tensor uniforms, Tensor settings, SamplingPaths paths)
    {
        using var scope = NewDisposeScope();
        var scores32 = logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32);
        Tensor? greedy = paths.HasFlag(SamplingPaths.Greedy) ? scores32.argmax(-1) : null;
        Tensor? sampled = null;
        if (paths.HasFlag(SamplingPaths.Plain) || paths.HasFlag(SamplingPaths.Filtered))
        {
            var scores = scores32.to(ScalarType.Float64) / settings.narrow(1, 0, 1);
            Tensor? plain = paths.HasFlag(SamplingPaths.Plain) ? InverseCdf(scores.softmax(-1), uniforms) : null;
            Tensor? filtered = paths.HasFlag(SamplingPaths.Filtered) ? Filtered(scores, uniforms, settings) : null;
            sampled = plain is not null && filtered is not null
                ? where(settings.select(1, 4) != 0, filtered, plain)
                : plain ?? filtered;
        }
        var tokens = greedy is not null && sampled is not null ? where(settings.select(1, 3) != 0, greedy, sampled) : (greedy ?? sampled)!;
        var broken = scores32.amax(-1).isfinite().logical_not();
        return tokens.masked_fill(broken, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Top-k, then top-p on the renormalised rest, sampled in descending order of the scores.</summary>
    private static Tensor Filtered(Tensor scores, Tensor uniforms, Tensor settings)
    {
        long vocab = scores.shape[^1];
        var (sorted, order) = scores.sort(-1, descending: true, stable: true);
        var ranks = arange(vocab, dtype: ScalarType.Float64, device: scores.device);
        sorted = sorted.masked_fill(ranks >= settings.narrow(1, 1, 1), double.NegativeInfinity);
        var probs = sorted.softmax(-1);
        // Drop a token when the tokens before it already reach p; the most likely token always stays.
        var drop = (probs.cumsum(-1) - probs) >= settings.narrow(1, 2, 1);
        var chosen = InverseCdf(probs.masked_fill(drop, 0.0), uniforms);
        return order.gather(-1, chosen.unsqueeze(-1)).squeeze(-1);
    }

    /// <summary>Per row, the number of entries whose cumulative probability is below u times the row's total.</summary>
    private static Tensor InverseCdf(Tensor probs, Tensor uniforms)
    {
        long vocab = probs.shape[^1];
        var cdf = probs.cumsum(-1);
        var threshold = uniforms.unsqueeze(-1) * cdf.narrow(-1, vocab - 1, 1);
        return searchsorted(cdf, threshold).squeeze(-1).clamp(0, vocab - 1);
    }
}
