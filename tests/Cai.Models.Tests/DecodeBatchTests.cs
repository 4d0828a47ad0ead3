using Cai.Abstractions.Text;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class DecodeBatchTests
{
    private static readonly SamplingSettings[] _settings =
    [
        new(Temperature: 0),
        new(Temperature: 0.7f),
        new(Temperature: 1.0f, TopK: 5),
        new(Temperature: 1.0f, TopP: 0.8f),
        new(Temperature: 1.3f, TopK: 10, TopP: 0.9f),
        new(Temperature: 1.0f),
    ];

    private static DecodeRequest Request(int i, SamplingSettings settings, int maxNew = 8) =>
        new([1, .. Enumerable.Range(0, i % 4 * 2).Select(t => 3 + (7 * i + 5 * t) % 90)], 100 + i) { Sampling = settings, MaxNewTokens = maxNew };

    /// <summary>The tokens of a request decoded in a batch of its own.</summary>
    private static IReadOnlyList<int> Alone(CausalLanguageModel model, DecodeRequest request)
    {
        using var batch = new DecodeBatch(model, 1, request.PromptIds.Count + request.MaxNewTokens - 1, request.MaxNewTokens);
        var sequence = batch.Join([request])[0];
        while (!sequence.IsDone) batch.Step();
        return sequence.TokenIds;
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void RowsWithTheirOwnSettingsGetTheTokensTheyGetAlone(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture) with { EosTokenIds = [] });
        var requests = _settings.Select((s, i) => Request(i, s)).ToList();
        using var batch = new DecodeBatch(model, requests.Count, 16, 8);
        var sequences = batch.Join(requests);
        while (batch.Count > 0) batch.Step();
        for (int i = 0; i < requests.Count; i++)
        {
            Assert.Equal(8, sequences[i].TokenIds.Count);
            Assert.Equal(Alone(model, requests[i]), sequences[i].TokenIds);
        }
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void SequencesJoiningAndLeavingMidGenerationGetTheTokensTheyGetAlone(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture) with { EosTokenIds = [] });
        using var batch = new DecodeBatch(model, 3, 16, 8);
        var a = batch.Join([Request(0, _settings[5])])[0];
        batch.Step();
        batch.Step();
        var joined = batch.Join([Request(1, _settings[2], maxNew: 3), Request(2, _settings[0])]);
        var (b, c) = (joined[0], joined[1]);
        batch.Step();
        batch.Remove(a);                                   // leaves early: the last row moves into its place
        Assert.Equal(2, batch.Count);
        var d = batch.Join([Request(3, _settings[4])])[0];
        var finished = new List<DecodeSequence>();
        DecodeSequence? e = null;
        while (batch.Count > 0)
        {
            finished.AddRange(batch.Step());
            if (e is null && batch.FreeRows > 0) e = batch.Join([Request(5, _settings[3], maxNew: 6)])[0]; // fills the row b freed
        }
        Assert.True(a.IsDone);
        Assert.Null(a.FinishReason);
        Assert.Equal(3, a.TokenIds.Count);
        Assert.Equal(Alone(model, a.Request).Take(3), a.TokenIds);
        foreach (var s in new[] { b, c, d, e! })
        {
            Assert.Equal(FinishReason.Length, s.FinishReason);
            Assert.Equal(Alone(model, s.Request), s.TokenIds);
        }
        Assert.Equal(4, finished.Count);
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void ACacheThatStartsShortGrowsAndGivesTheTokensOfAFullOne(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture) with { EosTokenIds = [] });
        using var batch = new DecodeBatch(model, 3, 40, 30, initialLength: 4);
        Assert.Equal(4, batch.AllocatedLength);
        var a = batch.Join([Request(3, _settings[1], maxNew: 30)])[0];   // a 6-token prefill: grows to 8
        Assert.Equal(8, batch.AllocatedLength);
        for (int i = 0; i < 5; i++) batch.Step();
        var joined = batch.Join([Request(1, _settings[0], maxNew: 20), Request(2, _settings[4], maxNew: 12)]);
        while (batch.Count > 0) batch.Step();
        Assert.Equal(40, batch.AllocatedLength);                           // 8, 16, 32, then at most MaxLength
        foreach (var s in new[] { a, joined[0], joined[1] })
        {
            Assert.Equal(FinishReason.Length, s.FinishReason);
            Assert.Equal(Alone(model, s.Request), s.TokenIds);
        }
    }

    [Fact]
    public void EachDecodeStepReadsTheHostOnceAndAJoinNever()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig() with { EosTokenIds = [] });
        using var batch = new DecodeBatch(model, 4, 16, 8);
        batch.Join([Request(0, _settings[0]), Request(1, _settings[4])]);
        Assert.Equal(0, batch.Transfers.Count);
        batch.Step();
        Assert.Equal(1, batch.Transfers.Count);
        batch.Join([Request(2, _settings[2]) with { TopLogprobs = 3 }, Request(3, _settings[1]) with { TopLogprobs = 0 }]);
        Assert.Equal(1, batch.Transfers.Count);
        int steps = 1;
        while (batch.Count > 0)
        {
            batch.Step();
            Assert.Equal(++steps, batch.Transfers.Count);
        }
        Assert.Equal(steps, batch.Statistics.DecodeSteps);
        Assert.Equal(steps, batch.Statistics.HostTransfers);

        var generator = new TokenGenerator(model);
        generator.Generate([[1, 5], [1, 6, 7, 8], [1]], new GenerationOptions { MaxNewTokens = 7, NumReturnSequences = 3, BatchSize = 4, TopP = 0.9f });
        Assert.True(generator.LastStatistics!.DecodeSteps > 7);
        Assert.Equal(generator.LastStatistics.DecodeSteps, generator.LastStatistics.HostTransfers);
    }

    [Fact]
    public void LogprobsAreTheModelsLogSoftmaxOfTheChosenAndMostLikelyTokens()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig() with { EosTokenIds = [] });
        using var batch = new DecodeBatch(model, 3, 16, 8);
        var sequences = batch.Join([Request(1, _settings[0]) with { TopLogprobs = 4 }, Request(2, _settings[4]) with { TopLogprobs = 0 }, Request(3, _settings[5])]);
        while (batch.Count > 0) batch.Step();

        Assert.Null(sequences[2].Logprobs);
        Assert.All(sequences[1].Logprobs!, l => Assert.Empty(l.Top));
        foreach (var step in sequences[0].Logprobs!)
        {
            Assert.Equal(4, step.Top.Count);
            Assert.Equal(step.TokenId, step.Top[0].TokenId);  // greedy: the chosen token is the most likely
            Assert.Equal(step.Logprob, step.Top[0].Logprob);
            Assert.True(step.Top.Zip(step.Top.Skip(1)).All(p => p.First.Logprob >= p.Second.Logprob));
        }
        using var noGrad = no_grad();
        foreach (var sequence in sequences.Take(2))
        {
            Assert.Equal(sequence.TokenIds, sequence.Logprobs!.Select(l => l.TokenId));
            int[] ids = [.. sequence.Request.PromptIds, .. sequence.TokenIds];
            var mask = Enumerable.Range(0, ids.Length).Select(t => t >= sequence.Request.PromptIds.Count ? 1L : 0L).ToArray();
            var expected = LogProbs.OfContinuations(model, tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0), null, tensor(mask).unsqueeze(0))[0]
                .narrow(0, sequence.Request.PromptIds.Count - 1, sequence.TokenIds.Count).data<float>().ToArray();
            for (int t = 0; t < expected.Length; t++) Assert.Equal(expected[t], sequence.Logprobs![t].Logprob, 1e-4);
        }
    }

    [Fact]
    public void NonFiniteLogitsFailTheirSequenceOnly()
    {
        using var inner = TinyModels.Create(TinyModels.LlamaConfig() with { EosTokenIds = [] });
        // NaN logits wherever the last input token is 50.
        var model = new WrappedModel(inner, inner.Config, (input, output) =>
        {
            long seq = input.InputIds.shape[1];
            var hit = (input.InputIds.narrow(1, seq - 1, 1) == 50).unsqueeze(-1);   // [b, 1, 1]
            return output with { Logits = output.Logits.masked_fill(hit, double.NaN) };
        });
        var healthy = Request(1, _settings[4]);
        var poisoned = new DecodeRequest([1, 9, 50], 7) { MaxNewTokens = 8 };
        using var batch = new DecodeBatch(model, 2, 16, 8);
        var sequences = batch.Join([poisoned, healthy]);
        var first = batch.Step();
        Assert.Same(sequences[0], Assert.Single(first));
        Assert.Contains("not finite", sequences[0].Error);
        Assert.Empty(sequences[0].TokenIds);
        while (batch.Count > 0) batch.Step();
        Assert.Equal(Alone(inner, healthy), sequences[1].TokenIds);
        Assert.Equal(batch.Statistics.DecodeSteps, batch.Transfers.Count);

        var e = Assert.Throws<NonFiniteLogitsException>(() => new TokenGenerator(model).Generate([[1, 50]], new GenerationOptions { Temperature = 0 }));
        Assert.Contains("not finite", e.Message);
    }

    [Fact]
    public void RefusesWhatDoesNotFit()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        using var batch = new DecodeBatch(model, 1, 8, 4);
        Assert.Contains("needs 9 cache positions", Assert.Throws<ArgumentException>(() => batch.Join([new DecodeRequest([1, 2, 3, 4, 5, 6], 1) { MaxNewTokens = 4 }])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Join([new DecodeRequest([1], 1) { MaxNewTokens = 5 }]));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Join([new DecodeRequest([1], 1) { MaxNewTokens = 2, Sampling = new(TopP: 0) }]));
        Assert.Throws<InvalidOperationException>(() => batch.Join([new DecodeRequest([1], 1) { MaxNewTokens = 2, StopStrings = ["x"] }]));
        batch.Join([new DecodeRequest([1], 1) { MaxNewTokens = 2 }]);
        Assert.Contains("0 of 1 rows are free", Assert.Throws<InvalidOperationException>(() => batch.Join([new DecodeRequest([1], 2) { MaxNewTokens = 2 }])).Message);
    }

    [Fact]
    public void MemoryStaysFlatOverJoinsStepsAndRemovals()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        void Cycle()
        {
            using var batch = new DecodeBatch(model, 3, 16, 8);
            var first = batch.Join([Request(0, _settings[0]) with { TopLogprobs = 2 }, Request(1, _settings[4])]);
            batch.Step();
            if (!first[1].IsDone) batch.Remove(first[1]);
            batch.Join([Request(2, _settings[3])]);
            while (batch.Count > 0) batch.Step();
        }
        Cycle(); // warm up (rotary tables)
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 50; i++) Cycle();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void IgnoreEosRunsPastTheEosTokenToMaxNewTokens()
    {
        using var inner = TinyModels.Create(TinyModels.LlamaConfig() with { EosTokenIds = [] });
        var request = new DecodeRequest([1, 5, 6], 3) { Sampling = new(Temperature: 0), MaxNewTokens = 6 };
        var free = Alone(inner, request);
        // The model's second greedy token becomes its eos.
        using var model = new WrappedModel(inner, inner.Config with { EosTokenIds = [free[1]] });
        Assert.Equal(free.Take(2), Alone(model, request));
        using var batch = new DecodeBatch(model, 2, 8, 6);
        var sequences = batch.Join([request, request with { IgnoreEos = true }]);
        while (batch.Count > 0) batch.Step();
        Assert.Equal(FinishReason.EndOfSequence, sequences[0].FinishReason);
        Assert.Equal(FinishReason.Length, sequences[1].FinishReason);
        Assert.Equal(free, sequences[1].TokenIds);
        Assert.Contains(free[1], batch.EosTokenIds);
    }
}
