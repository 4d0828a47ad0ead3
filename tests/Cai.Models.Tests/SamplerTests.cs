using Cai.Models.Generation;
using Cai.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class SamplerTests
{
    private static readonly SamplingSettings[] _settings =
    [
        new(Temperature: 0),
        new(Temperature: 0.6f),
        new(Temperature: 1.0f),
        new(Temperature: 1.0f, TopK: 1),
        new(Temperature: 1.2f, TopK: 7),
        new(Temperature: 0.9f, TopP: 0.5f),
        new(Temperature: 1.5f, TopK: 20, TopP: 0.9f),
        new(Temperature: 1.0f, TopP: 1e-6f),
    ];

    /// <summary>Random logits [rows, vocab] with ties (rounded to 0.25) so that the order of equal logits matters.</summary>
    private static float[] Logits(int rows, int vocab, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, rows * vocab).Select(_ => MathF.Round((float)(random.NextDouble() * 8 - 4) * 4) / 4)];
    }

    /// <summary>The documented rule, on the host: greedy argmax; else inverse CDF over the tempered, top-k- then top-p-filtered distribution.</summary>
    private static long Reference(ReadOnlySpan<float> logits, double u, SamplingSettings s)
    {
        int vocab = logits.Length;
        if (s.IsGreedy)
        {
            int best = 0;
            for (int v = 1; v < vocab; v++) if (logits[v] > logits[best]) best = v;
            return best;
        }
        var scores = logits.ToArray().Select(l => (double)l / s.Temperature).ToArray();
        int[] order = s.IsFiltered(vocab)
            ? [.. Enumerable.Range(0, vocab).OrderByDescending(v => scores[v])]   // stable
            : [.. Enumerable.Range(0, vocab)];
        int k = s.TopK > 0 && s.TopK < vocab ? s.TopK : vocab;
        double max = order.Take(k).Max(v => scores[v]);
        var probs = order.Select((v, rank) => rank < k ? Math.Exp(scores[v] - max) : 0).ToArray();
        double total = probs.Sum();
        for (int i = 0; i < vocab; i++) probs[i] /= total;
        double before = 0;
        for (int i = 0; i < vocab; i++)
        {
            double p = probs[i];
            if (s.TopP < 1 && before >= s.TopP) probs[i] = 0;
            before += p;
        }
        double cdf = 0, threshold = u * probs.Sum();
        int count = 0;
        foreach (double p in probs) { cdf += p; if (cdf < threshold) count++; }
        return order[Math.Min(count, vocab - 1)];
    }

    [Fact]
    public void FollowsTheDocumentedRuleRowByRowInAMixedBatch()
    {
        const int vocab = 61;
        int rows = _settings.Length * 6;
        var logits = Logits(rows, vocab, 3);
        var rowSettings = Enumerable.Range(0, rows).Select(r => _settings[r % _settings.Length]).ToList();
        var uniforms = Enumerable.Range(0, rows).Select(r => SamplingSeeds.Uniform(r, 0)).ToArray();
        var tokens = Sampler.Next(tensor(logits, [rows, vocab]), tensor(uniforms), Sampler.SettingsTensor(rowSettings, vocab, CPU),
            Sampler.PathsOf(rowSettings, vocab)).data<long>().ToArray();
        for (int r = 0; r < rows; r++)
        {
            Assert.Equal(Reference(logits.AsSpan(r * vocab, vocab), uniforms[r], rowSettings[r]), tokens[r]);
            // A row sampled alone gets the same token.
            var alone = Sampler.Next(tensor(logits.AsSpan(r * vocab, vocab).ToArray(), [1, vocab]), tensor(new[] { uniforms[r] }),
                Sampler.SettingsTensor([rowSettings[r]], vocab, CPU), Sampler.PathsOf([rowSettings[r]], vocab));
            Assert.Equal(tokens[r], alone.ToInt64());
        }
        Assert.True(tokens.Distinct().Count() > 10);
    }

    [Fact]
    public void SamplesInProportionToTheProbabilities()
    {
        var logits = tensor(new[] { MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.2f) }).unsqueeze(0).expand(4000, 3).contiguous();
        var uniforms = tensor(Enumerable.Range(0, 4000).Select(i => SamplingSeeds.Uniform(42, i)).ToArray());
        var settings = Sampler.SettingsTensor([.. Enumerable.Repeat(new SamplingSettings(), 4000)], 3, CPU);
        var counts = Sampler.Next(logits, uniforms, settings, SamplingPaths.Plain).bincount(null, 3).data<long>().ToArray();
        Assert.InRange(counts[0], 1880, 2120);   // 2000 ± 3.9 standard deviations
        Assert.InRange(counts[1], 1100, 1300);
        Assert.InRange(counts[2], 700, 900);
    }

    [Fact]
    public void RowsWithNonFiniteLogitsGetMinusOne()
    {
        var logits = tensor(new[] { 0f, 1f, float.NaN, 0f, 1f, 2f, float.PositiveInfinity, 0f, 0f, 3f, 1f, 0f }, [4, 3]);
        var settings = Sampler.SettingsTensor([new(Temperature: 0), new(), new(TopK: 2), new(Temperature: 0)], 3, CPU);
        var tokens = Sampler.Next(logits, tensor(new[] { 0.5, 0.5, 0.5, 0.5 }), settings, SamplingPaths.Greedy | SamplingPaths.Plain | SamplingPaths.Filtered);
        var values = tokens.data<long>().ToArray();
        Assert.Equal(-1, values[0]);           // NaN
        Assert.InRange(values[1], 0, 2);
        Assert.Equal(-1, values[2]);           // +Inf
        Assert.Equal(0, values[3]);
    }

    [Fact]
    public void UniformsAreInTheOpenUnitIntervalAndDifferBySeedAndStep()
    {
        var values = Enumerable.Range(0, 1000).Select(t => SamplingSeeds.Uniform(5, t)).ToArray();
        Assert.All(values, u => Assert.InRange(u, double.Epsilon, 1 - 1e-17));
        Assert.InRange(values.Average(), 0.47, 0.53);
        Assert.Equal(1000, values.Distinct().Count());
        Assert.NotEqual(SamplingSeeds.Uniform(5, 0), SamplingSeeds.Uniform(6, 0));
        Assert.NotEqual(SamplingSeeds.SequenceSeed(5, 0), SamplingSeeds.SequenceSeed(5, 1));
        Assert.NotEqual(SamplingSeeds.PromptSeed(5, 0), SamplingSeeds.SequenceSeed(5, 0));
        Assert.Equal(SamplingSeeds.Uniform(123, 17), SamplingSeeds.Uniform(123, 17));
    }

    [Fact]
    [Trait("Category", Requirements.Cuda)]
    public void TheSameLogitsAndUniformsGiveTheSameTokensOnCpuAndCuda()
    {
        Requirements.RequireCuda();
        const int vocab = 5000;
        int rows = _settings.Length * 8;
        var logits = Logits(rows, vocab, 9);
        var rowSettings = Enumerable.Range(0, rows).Select(r => _settings[r % _settings.Length]).ToList();
        var uniforms = Enumerable.Range(0, rows).Select(r => SamplingSeeds.Uniform(r, 3)).ToArray();
        var paths = Sampler.PathsOf(rowSettings, vocab);
        long[] On(Device device) => Sampler.Next(tensor(logits, [rows, vocab], device: device), tensor(uniforms, device: device),
            Sampler.SettingsTensor(rowSettings, vocab, device), paths).cpu().data<long>().ToArray();
        Assert.Equal(On(CPU), On(CUDA));
    }
}
