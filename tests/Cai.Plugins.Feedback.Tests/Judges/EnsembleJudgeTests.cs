using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Plugins.Feedback.Judges;
using Microsoft.Extensions.Logging;

namespace Cai.Plugins.Feedback.Tests.Judges;

public class EnsembleJudgeTests
{
    // Three feedback models as the runner exposes them: "feedback", "feedback.1", "feedback.2".
    // log-probs → P(A): (−1, −2) → σ(1) = 0.731059; (−2, −1) → σ(−1) = 0.268941; (−1, −3) → σ(2) = 0.880797.
    static (PluginContext Context, ListLogger Logger) ThreeFeedbackModels(Func<string, IJudge>? resolver = null)
    {
        var models = new Dictionary<string, ITextModel>
        {
            ["policy"] = new FakeFeedbackModel(-9, -9, "policy"),
            ["feedback"] = new FakeFeedbackModel(-1, -2, "f0"),
            ["feedback.1"] = new FakeFeedbackModel(-2, -1, "f1"),
            ["feedback.2"] = new FakeFeedbackModel(-1, -3, "f2"),
        };
        var logger = new ListLogger();
        var plain = FakeFeedbackModel.Context(models, "ensemble");
        var context = new PluginContext(plain.Models, plain.Constitution, plain.Seed, logger, plain.Provenance)
        {
            JudgeResolver = resolver,
        };
        return (context, logger);
    }

    [Fact]
    public async Task MeanOverFeedbackModelsIsTheMeanOfTheirSoftLabels()
    {
        var (context, logger) = ThreeFeedbackModels();
        using var judge = new EnsembleJudge(context, new EnsembleJudgeOptions());

        var preference = Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default));

        Assert.Equal(["multiple-choice@feedback", "multiple-choice@feedback.1", "multiple-choice@feedback.2"],
            judge.Members.Select(m => m.Name));
        // (0.731059 + 0.268941 + 0.880797) / 3 = 0.626932.
        Assert.Equal(0.626932, preference.ProbabilityA, 1e-6);
        // Votes A, B, A: one agreeing pair out of three.
        Assert.Equal("mean of 3: P(A)=0.63 from multiple-choice@feedback P(A)=0.73, multiple-choice@feedback.1 P(A)=0.27, " +
            "multiple-choice@feedback.2 P(A)=0.88; agreement 0.33", preference.Rationale);
        Assert.Contains("pairwise agreement 0.33", Assert.Single(logger.Messages));
        Assert.Contains("multiple-choice@feedback.1 0.00", logger.Messages[0]);
    }

    [Fact]
    public async Task MembersScoringMethodsAreKeptAndTheEnsemblesIsTheirsOnlyWhenAllAgree()
    {
        var plain = FakeFeedbackModel.Context(new Dictionary<string, ITextModel>
        {
            ["feedback"] = new FakeFeedbackModel(-1, -2, "f0", ScoringMethod.TopLogprobs),
            ["feedback.1"] = new FakeFeedbackModel(Math.Log(0.5), Math.Log(0.25), "f1", ScoringMethod.Votes),
        }, "ensemble");
        using var judge = new EnsembleJudge(plain, new EnsembleJudgeOptions());

        var preference = Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default));

        Assert.Equal(new Dictionary<string, ScoringMethod>
        {
            ["multiple-choice@feedback"] = ScoringMethod.TopLogprobs,
            ["multiple-choice@feedback.1"] = ScoringMethod.Votes,
        }, preference.MemberMethods);
        Assert.Null(preference.Method); // mixed
        using var votes = new EnsembleJudge(plain, new EnsembleJudgeOptions { Models = ["feedback.1"] });
        Assert.Equal(ScoringMethod.Votes, Assert.Single(await votes.CompareAsync([Requests.Pair("x")], default)).Method);
    }

    [Fact]
    public async Task MajorityVoteGivesTheHardLabelOfMostMembers()
    {
        var (context, _) = ThreeFeedbackModels();
        using var judge = new EnsembleJudge(context, new EnsembleJudgeOptions { Combination = EnsembleCombination.MajorityVote });

        Assert.Equal(1.0, Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default)).ProbabilityA);
    }

    [Fact]
    public async Task ExplicitModelsAndHostResolvedMembersJoinTheEnsemble()
    {
        // Per item, members: multiple-choice@feedback.1 0.268941, keyword [0.9, 0.2, 0.5].
        var keyword = new FixedJudge(0.9, 0.2, 0.5);
        var resolved = new List<string>();
        var (context, _) = ThreeFeedbackModels(name => { resolved.Add(name); return keyword; });
        var options = new EnsembleJudgeOptions { Members = ["multiple-choice", "keyword"], Models = ["feedback.1"] };
        var judge = new EnsembleJudge(context, options);

        var preferences = await judge.CompareAsync([Requests.Pair("a"), Requests.Pair("b"), Requests.Pair("c")], default);

        Assert.Equal(["keyword"], resolved);
        Assert.Equal(["a", "b", "c"], preferences.Select(p => p.ItemId));
        // Means: (0.268941 + 0.9) / 2, (0.268941 + 0.2) / 2, (0.268941 + 0.5) / 2.
        Assert.Equal([0.584471, 0.234471, 0.384471], preferences.Select(p => Math.Round(p.ProbabilityA, 6)));
        Assert.EndsWith("; agreement 0.00", preferences[0].Rationale);
        Assert.EndsWith("; agreement 1.00", preferences[1].Rationale);
        // One tie rule (JudgeAgreement): keyword calls item c even, so no pair of members decides it.
        Assert.EndsWith("; agreement n/a", preferences[2].Rationale);

        var majority = new EnsembleJudge(context, options with { Combination = EnsembleCombination.MajorityVote });
        // B vs A → tie 0.5; B, B → 0; B and an abstaining 0.5 → 0.
        var votes = await majority.CompareAsync([Requests.Pair("a"), Requests.Pair("b"), Requests.Pair("c")], default);
        Assert.Equal([0.5, 0.0, 0.0], votes.Select(p => p.ProbabilityA));

        Assert.False(keyword.Disposed);
        judge.Dispose();
        Assert.True(keyword.Disposed);
    }

    [Fact]
    public async Task ChainOfThoughtMembersAreClampedPerModel()
    {
        var (context, _) = ThreeFeedbackModels();
        using var judge = new EnsembleJudge(context,
            new EnsembleJudgeOptions { Members = ["chain-of-thought"], Models = ["feedback", "feedback.2"] });

        var preference = Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default));

        // Both members clamp to 0.6.
        Assert.Equal(0.6, preference.ProbabilityA, 1e-12);
    }

    [Fact]
    public async Task WithoutFeedbackModelsThePolicyJudges()
    {
        var context = FakeFeedbackModel.Context(new Dictionary<string, ITextModel> { ["policy"] = new FakeFeedbackModel(-2, -1) });
        using var judge = new EnsembleJudge(context, new EnsembleJudgeOptions());

        Assert.Equal("multiple-choice@policy", Assert.Single(judge.Members).Name);
        Assert.Equal(0.268941, Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default)).ProbabilityA, 1e-6);
    }

    [Fact]
    public async Task RejectsMembersThatBreakTheContract()
    {
        var shuffled = new FixedJudge { Override = batch => batch.Reverse().Select(r => new Preference(r.ItemId, 0.5)).ToList() };
        var (context, _) = ThreeFeedbackModels(_ => shuffled);
        using var judge = new EnsembleJudge(context, new EnsembleJudgeOptions { Members = ["keyword"] });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            judge.CompareAsync([Requests.Pair("a"), Requests.Pair("b")], default));
        Assert.Contains("'keyword'", error.Message);
    }

    [Fact]
    public void RejectsItselfAsMemberAndUnresolvableMembersDisposingThoseCreated()
    {
        var first = new FixedJudge(0.5);
        var (context, _) = ThreeFeedbackModels(name => name == "keyword" ? first : throw new KeyNotFoundException(name));

        Assert.Throws<ArgumentException>(() => new EnsembleJudge(context, new EnsembleJudgeOptions { Members = ["ensemble"] }));
        Assert.Throws<KeyNotFoundException>(() =>
            new EnsembleJudge(context, new EnsembleJudgeOptions { Members = ["keyword", "missing"] }));
        Assert.True(first.Disposed);
        var (noResolver, _) = ThreeFeedbackModels();
        Assert.Throws<InvalidOperationException>(() => new EnsembleJudge(noResolver, new EnsembleJudgeOptions { Members = ["keyword"] }));
    }
}

/// <summary>A hand-made member judge: returns the given P(A) for the i-th request of every batch; records disposal.</summary>
public sealed class FixedJudge(params double[] probabilities) : IJudge, IDisposable
{
    public bool Disposed { get; private set; }

    public Func<IReadOnlyList<ComparisonRequest>, IReadOnlyList<Preference>>? Override { get; init; }

    public Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken) =>
        Task.FromResult(Override?.Invoke(batch)
            ?? batch.Select((r, i) => new Preference(r.ItemId, probabilities[i], "fixed")).ToList());

    public void Dispose() => Disposed = true;
}

/// <summary>Keeps every formatted log message.</summary>
public sealed class ListLogger : ILogger
{
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Add(formatter(state, exception));
}
