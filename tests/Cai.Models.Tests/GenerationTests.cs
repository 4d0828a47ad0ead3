using Cai.Abstractions.Text;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class GenerationTests
{
    private static readonly int[][] Prompts = [[1, 17, 42, 5], [1, 9], [1, 30, 31, 32, 33, 34]];

    [Fact]
    public void SamplingIsReproducibleWithASeed()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        var generator = new TokenGenerator(model);
        var options = new GenerationOptions { Temperature = 1.0f, TopP = 0.9f, TopK = 20, MaxNewTokens = 10, NumReturnSequences = 3, Seed = 5 };
        var a = generator.Generate(Prompts, options);
        var b = generator.Generate(Prompts, options);
        var c = generator.Generate(Prompts, options with { Seed = 6 });
        string Flat(IReadOnlyList<IReadOnlyList<GeneratedSequence>> r) => string.Join("|", r.SelectMany(x => x).Select(s => string.Join(",", s.TokenIds)));
        Assert.Equal(Flat(a), Flat(b));
        Assert.NotEqual(Flat(a), Flat(c));
        Assert.All(a, perPrompt => Assert.Equal(3, perPrompt.Count));
        Assert.Equal(9, a.SelectMany(x => x).Select(s => string.Join(",", s.TokenIds)).Count());
    }

    [Fact]
    public void TopKOfOneIsGreedy()
    {
        using var model = TinyModels.Create(TinyModels.Gpt2Config());
        var generator = new TokenGenerator(model);
        var greedy = generator.Generate(Prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 8 });
        var topOne = generator.Generate(Prompts, new GenerationOptions { Temperature = 0.7f, TopK = 1, MaxNewTokens = 8 });
        for (int i = 0; i < Prompts.Length; i++) Assert.Equal(greedy[i][0].TokenIds, topOne[i][0].TokenIds);
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
        var free = new TokenGenerator(model).Generate(Prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 6 });
        Assert.All(free.SelectMany(x => x), s => Assert.True(s.TokenIds.Count <= 6));
        // Make the first greedy token of prompt 0 the eos token.
        int first = free[0][0].TokenIds[0];
        var config = model.Config with { EosTokenIds = [first] };
        var withEos = new TokenGenerator(new EosModel(model, config)).Generate(Prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 6 });
        Assert.Equal([first], withEos[0][0].TokenIds);
        Assert.Equal(FinishReason.EndOfSequence, withEos[0][0].FinishReason);
        // Other prompts go on until they produce that token or reach the limit, with the same tokens as before.
        for (int i = 1; i < Prompts.Length; i++)
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
        generator.Generate(Prompts, options); // warm up
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 300; i++) generator.Generate(Prompts, options with { Seed = i });
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }

    [Fact]
    public void ReportsStatistics()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig() with { EosTokenIds = [] });
        var generator = new TokenGenerator(model);
        generator.Generate(Prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 5 });
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

    /// <summary>The same weights under a config with other special tokens.</summary>
    private sealed class EosModel(CausalLanguageModel inner, ModelConfig config) : CausalLanguageModel("eos", config)
    {
        public override CausalLMOutput forward(CausalLMInput input) => inner.forward(input);

        public override KeyValueCache CreateCache(int batchSize, int maxLength, Device device, ScalarType dtype) =>
            inner.CreateCache(batchSize, maxLength, device, dtype);

        public override IEnumerable<(string name, TorchSharp.Modules.Parameter parameter)> named_parameters(bool recurse = true) => inner.named_parameters(recurse);
    }
}
