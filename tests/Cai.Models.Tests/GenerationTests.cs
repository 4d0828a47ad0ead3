using Cai.Abstractions.Text;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class GenerationTests
{
    private static readonly int[][] _prompts = [[1, 17, 42, 5], [1, 9], [1, 30, 31, 32, 33, 34]];

    [Fact]
    public void SamplingIsReproducibleWithASeed()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        var generator = new TokenGenerator(model);
        var options = new GenerationOptions { Temperature = 1.0f, TopP = 0.9f, TopK = 20, MaxNewTokens = 10, NumReturnSequences = 3, Seed = 5 };
        var a = generator.Generate(_prompts, options);
        var b = generator.Generate(_prompts, options);
        var c = generator.Generate(_prompts, options with { Seed = 6 });
        string Flat(IReadOnlyList<IReadOnlyList<GeneratedSequence>> r) => string.Join("|", r.SelectMany(x => x).Select(s => string.Join(",", s.TokenIds)));
        Assert.Equal(Flat(a), Flat(b));
        Assert.NotEqual(Flat(a), Flat(c));
        Assert.All(a, perPrompt => Assert.Equal(3, perPrompt.Count));
        Assert.Equal(9, a.SelectMany(x => x).Select(s => string.Join(",", s.TokenIds)).Count());
    }

    [Theory]
    [InlineData("llama", 0, 1.0f)]
    [InlineData("qwen2", 5, 0.8f)]
    [InlineData("gpt2", 0, 0.9f)]
    public void ASequenceHasTheSameTokensAloneInABatchOf7AndInABatchOf64(string architecture, int topK, float topP)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        var generator = new TokenGenerator(model);
        var random = new Random(11);
        var prompts = Enumerable.Range(0, 32)
            .Select(_ => (IReadOnlyList<int>)[1, .. Enumerable.Range(0, random.Next(0, 9)).Select(_ => random.Next(3, 97))]).ToList();
        var seeds = prompts.Select((_, i) => 1000L + 7 * i).ToList();
        var options = new GenerationOptions { Temperature = 1, TopK = topK, TopP = topP, MaxNewTokens = 10, NumReturnSequences = 2, Seeds = seeds };
        string Tokens(GeneratedSequence s) => string.Join(",", s.TokenIds);

        var in64 = generator.Generate(prompts, options with { BatchSize = 64 });
        var in7 = generator.Generate(prompts, options with { BatchSize = 7 });
        var reversed = generator.Generate([.. prompts.AsEnumerable().Reverse()], options with { BatchSize = 7, Seeds = [.. seeds.AsEnumerable().Reverse()] });
        for (int i = 0; i < prompts.Count; i++)
        {
            var alone = generator.Generate([prompts[i]], options with { BatchSize = 1, Seeds = [seeds[i]] })[0];
            for (int j = 0; j < 2; j++)
            {
                Assert.Equal(Tokens(alone[j]), Tokens(in64[i][j]));
                Assert.Equal(Tokens(alone[j]), Tokens(in7[i][j]));
                Assert.Equal(Tokens(alone[j]), Tokens(reversed[prompts.Count - 1 - i][j]));
            }
        }
        // The seeds matter: samples of one prompt differ, and other seeds give other tokens.
        Assert.Contains(in64, samples => Tokens(samples[0]) != Tokens(samples[1]));
        var reseeded = generator.Generate(prompts, options with { Seeds = [.. seeds.Select(s => s + 1)] });
        Assert.Contains(Enumerable.Range(0, prompts.Count), i => Tokens(reseeded[i][0]) != Tokens(in64[i][0]));
    }

    [Fact]
    public void WithoutSeedsEachPromptsSeedComesFromTheCallSeedAndItsIndex()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        var generator = new TokenGenerator(model);
        var options = new GenerationOptions { Temperature = 1, MaxNewTokens = 8, Seed = 9 };
        var implicitSeeds = generator.Generate(_prompts, options);
        var explicitSeeds = generator.Generate(_prompts, options with { Seeds = [.. Enumerable.Range(0, _prompts.Length).Select(i => SamplingSeeds.PromptSeed(9, i))] });
        for (int i = 0; i < _prompts.Length; i++) Assert.Equal(implicitSeeds[i][0].TokenIds, explicitSeeds[i][0].TokenIds);
        var e = Assert.Throws<ArgumentException>(() => generator.Generate(_prompts, options with { Seeds = [1, 2] }));
        Assert.Contains("2 seeds for 3 prompts", e.Message);
    }

    /// <summary>
    /// Greedy tokens of the embedded model (models/cai-tiny-base), recorded with the generator as it was before the
    /// decoding engine (left-padded batches, whole-prompt prefill) for prompts of its chat format.
    /// </summary>
    [Fact]
    public void GreedyOutputOfTheEmbeddedModelIsUnchanged()
    {
        (int[] Prompt, int[] Output)[] recorded =
        [
            ([290, 60, 391, 292, 523, 757, 551, 65], [12, 12, 293, 60, 523, 757, 523, 292, 576, 48, 349, 435, 292, 576, 839, 48, 0]),
            ([290, 60, 326, 274, 113], [35, 280, 522, 1003, 283, 942, 265, 402, 276, 325, 566, 116, 310, 48, 916, 361, 280, 1007, 65, 12, 12, 293, 60, 280, 348, 473, 350, 384, 387, 48, 321, 755, 304, 265, 402, 276, 325, 566, 116, 310, 645, 678, 338, 110, 963, 117, 283, 623, 340, 110, 310, 48, 391, 280, 348, 361, 292, 506, 324, 283, 970, 487, 285, 991]),
            ([290, 60, 582, 331, 324, 283, 771, 264, 778, 48], [12, 12, 293, 60, 280, 348, 473, 350, 384, 387, 48, 321, 755, 304, 265, 413, 258, 477, 260, 515, 261, 645, 678, 338, 110, 963, 117, 283, 623, 340, 110, 310, 48, 391, 280, 348, 361, 292, 506, 324, 283, 970, 487, 285, 991, 773, 334, 377, 766, 780, 627, 48, 0]),
            ([290, 60, 372, 275, 112, 118, 265, 800, 60, 576, 800, 306, 612, 800, 48, 440, 491, 65], [12, 12, 293, 60, 576, 757, 612, 292, 633, 48, 349, 435, 292, 633, 800, 48, 0]),
            ([290, 60, 332, 549, 264, 381, 568, 519, 103, 111, 730, 265, 944, 48], [12, 12, 293, 60, 349, 528, 944, 292, 694, 474, 47, 107, 47, 120, 47, 103, 47, 116, 48, 0]),
        ];
        using var model = CausalLanguageModelLoader.Load(Path.Combine(ReferenceLlamaTests.RepositoryRoot(), "models", "cai-tiny-base"));
        var generator = new TokenGenerator(model);
        foreach (int batchSize in new[] { 5, 2 })
        {
            var results = generator.Generate([.. recorded.Select(r => (IReadOnlyList<int>)r.Prompt)],
                new GenerationOptions { Temperature = 0, MaxNewTokens = 64, BatchSize = batchSize });
            for (int i = 0; i < recorded.Length; i++) Assert.Equal(recorded[i].Output, results[i][0].TokenIds);
        }
    }

    [Fact]
    public void TopKOfOneIsGreedy()
    {
        using var model = TinyModels.Create(TinyModels.Gpt2Config());
        var generator = new TokenGenerator(model);
        var greedy = generator.Generate(_prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 8 });
        var topOne = generator.Generate(_prompts, new GenerationOptions { Temperature = 0.7f, TopK = 1, MaxNewTokens = 8 });
        for (int i = 0; i < _prompts.Length; i++) Assert.Equal(greedy[i][0].TokenIds, topOne[i][0].TokenIds);
    }

    [Fact]
    public void TopPKeepsTheSmallestSetReachingP()
    {
        var logits = tensor(new float[] { MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f) }).unsqueeze(0);
        var counts = new int[4];
        var settings = Sampler.SettingsTensor([new SamplingSettings(TopP: 0.75f)], 4, CPU);
        for (int i = 0; i < 400; i++)
            counts[Sampler.Next(logits, tensor(new[] { SamplingSeeds.Uniform(3, i) }), settings, SamplingPaths.Filtered).ToInt64()]++;
        Assert.True(counts[0] > 0 && counts[1] > 0);
        Assert.Equal(0, counts[2] + counts[3]);
    }

    [Fact]
    public void StopsAtEosAndMaxNewTokens()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        var free = new TokenGenerator(model).Generate(_prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 6 });
        Assert.All(free.SelectMany(x => x), s => Assert.True(s.TokenIds.Count <= 6));
        // Make the first greedy token of prompt 0 the eos token.
        int first = free[0][0].TokenIds[0];
        var config = model.Config with { EosTokenIds = [first] };
        var withEos = new TokenGenerator(new WrappedModel(model, config)).Generate(_prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 6 });
        Assert.Equal([first], withEos[0][0].TokenIds);
        Assert.Equal(FinishReason.EndOfSequence, withEos[0][0].FinishReason);
        // Other prompts go on until they produce that token or reach the limit, with the same tokens as before.
        for (int i = 1; i < _prompts.Length; i++)
        {
            var expected = free[i][0].TokenIds.TakeWhile(t => t != first).ToList();
            if (expected.Count < free[i][0].TokenIds.Count) expected.Add(first);
            Assert.Equal(expected, withEos[i][0].TokenIds);
        }
    }

    [Fact]
    public void StopStringsEndTextWithoutTheStopString()
    {
        var tokenizer = TinyModels.Tokenizer();
        using var model = TinyModels.Create(TinyModels.LlamaConfig(vocab: tokenizer.VocabSize) with { EosTokenIds = [] });
        var generator = new TokenGenerator(model, tokenizer);
        var prompt = tokenizer.Encode("Human: what is this?");
        var free = generator.Generate([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 12 })[0][0];
        Assert.NotNull(free.Text);
        Assert.True(free.Text!.Length >= 3, free.Text);
        string stop = free.Text.Substring(1, 2);
        var stopped = generator.Generate([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 12, StopStrings = [stop] })[0][0];
        Assert.Equal(FinishReason.StopString, stopped.FinishReason);
        Assert.Equal(free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(free.TokenIds.Take(stopped.TokenIds.Count), stopped.TokenIds);
    }

    [Fact]
    public void MemoryStaysFlatOverManyCalls()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        var generator = new TokenGenerator(model);
        var options = new GenerationOptions { Temperature = 0.8f, TopP = 0.9f, MaxNewTokens = 6, NumReturnSequences = 2, BatchSize = 4 };
        generator.Generate(_prompts, options); // warm up
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 300; i++) generator.Generate(_prompts, options with { Seed = i });
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }

    [Fact]
    public void ReportsStatistics()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig() with { EosTokenIds = [] });
        var generator = new TokenGenerator(model);
        generator.Generate(_prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 5 });
        Assert.Equal(15, generator.LastStatistics!.GeneratedTokens);
        Assert.Equal(6, generator.LastStatistics.ForwardPasses); // one prefill (the prompts but their last token), then a step per token
        Assert.Equal(5, generator.LastStatistics.DecodeSteps);
        Assert.Equal(5, generator.LastStatistics.HostTransfers);
        Assert.True(generator.LastStatistics.TokensPerSecond > 0);
    }

    [Fact]
    public void RejectsOutOfVocabularyPrompts()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        var e = Assert.Throws<ArgumentException>(() => new TokenGenerator(model).Generate([[1, 500]], new GenerationOptions()));
        Assert.Contains("outside the vocabulary", e.Message);
    }
}
