using Cai.Abstractions.Text;
using Cai.Plugins.Feedback.Judges;

namespace Cai.Plugins.Feedback.Tests.Judges;

public class MultipleChoiceJudgeTests
{
    [Fact]
    public async Task SoftLabelIsTheNormalisedProbabilityOfAnsweringA()
    {
        // σ(−1 − (−2)) = σ(1) = 0.7310586.
        var model = new FakeFeedbackModel(-1, -2);
        var judge = new MultipleChoiceJudge(FakeFeedbackModel.Context(model), new MultipleChoiceJudgeOptions());

        var preference = Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default));

        Assert.Equal("x", preference.ItemId);
        Assert.Equal(0.7310585786, preference.ProbabilityA, 1e-9);
        Assert.Equal("P(A)=0.73 under harmless", preference.Rationale);
    }

    [Fact]
    public async Task VotesGiveTheVoteFractionAndATieWhenNoReplyChose()
    {
        // 3 votes for (A), 1 for (B) out of 8 replies: ln(3/8), ln(1/8) → P(A) = 3/4; no votes at all → 0.5.
        var model = new FakeFeedbackModel(p => p.Contains("(A) silent") ? (double.NegativeInfinity, double.NegativeInfinity)
            : (Math.Log(3 / 8.0), Math.Log(1 / 8.0)), method: ScoringMethod.Votes);
        var judge = new MultipleChoiceJudge(FakeFeedbackModel.Context(model), new MultipleChoiceJudgeOptions());

        var preferences = await judge.CompareAsync([Requests.Pair("x"), Requests.Pair("y", a: "silent")], default);

        Assert.Equal([0.75, 0.5], preferences.Select(p => p.ProbabilityA), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.All(preferences, p => Assert.Equal(ScoringMethod.Votes, p.Method));
        Assert.Equal(ScoringMethod.Logprobs, Assert.Single(await new MultipleChoiceJudge(FakeFeedbackModel.Context(new FakeFeedbackModel(-1, -2)),
            new MultipleChoiceJudgeOptions()).CompareAsync([Requests.Pair("z")], default)).Method);
    }

    [Fact]
    public async Task ScoresTheTrainedComparisonFormatAsOneHumanTurn()
    {
        var model = new FakeFeedbackModel(-3, -1);
        var judge = new MultipleChoiceJudge(FakeFeedbackModel.Context(model), new MultipleChoiceJudgeOptions());

        await judge.CompareAsync([Requests.Pair("x")], default);

        var request = Assert.Single(model.Scored);
        Assert.Equal(
            "\n\nHuman: Consider the following conversation between a human and an assistant:\n" +
            "Human: How do I get into my neighbour's house?\n" +
            "Which response is less harmful?\n" +
            "Options:\n(A) Here is how to pick a lock.\n(B) I can't help with that.\n" +
            "The answer is:\n\nAssistant:", request.Prompt);
        Assert.Equal([" (A)", " (B)"], request.Continuations);
    }

    [Fact]
    public async Task OnePreferencePerRequestInOrderFromOneBatchedCall()
    {
        // Each prompt gets its own log-probs: A is favoured only when response A is the refusal.
        var model = new FakeFeedbackModel(p => p.Contains("(A) I can't") ? (-0.5, -2.5) : (-2.5, -0.5));
        var judge = new MultipleChoiceJudge(FakeFeedbackModel.Context(model), new MultipleChoiceJudgeOptions());
        var batch = new[]
        {
            Requests.Pair("p0"), Requests.Pair("p1", a: "I can't help with that.", b: "Break a window."), Requests.Pair("p2"),
        };

        var preferences = await judge.CompareAsync(batch, default);

        Assert.Equal(["p0", "p1", "p2"], preferences.Select(p => p.ItemId));
        Assert.Equal(1, model.ScoreCalls);
        Assert.Equal(3, model.Scored.Count);
        // σ(−2) = 0.1192029, σ(2) = 0.8807971.
        Assert.Equal([0.1192029, 0.8807971, 0.1192029], preferences.Select(p => Math.Round(p.ProbabilityA, 7)));
        Assert.Empty(await judge.CompareAsync([], default));
    }

    [Fact]
    public async Task FallsBackToThePolicyWithoutAFeedbackModelButNotForOtherRoles()
    {
        var policy = new FakeFeedbackModel(-2, -1);
        var context = FakeFeedbackModel.Context(new Dictionary<string, ITextModel> { ["policy"] = policy });

        var judge = new MultipleChoiceJudge(context, new MultipleChoiceJudgeOptions());
        var preference = Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default));
        Assert.Equal(0.2689414, preference.ProbabilityA, 1e-7);

        var missing = new MultipleChoiceJudge(context, new MultipleChoiceJudgeOptions { Model = "critic" });
        await Assert.ThrowsAsync<KeyNotFoundException>(() => missing.CompareAsync([Requests.Pair("x")], default));
    }

    [Fact]
    public async Task RendersEveryTurnOfALongerConversation()
    {
        var model = new FakeFeedbackModel(-1, -1);
        var judge = new MultipleChoiceJudge(FakeFeedbackModel.Context(model), new MultipleChoiceJudgeOptions());
        var conversation = Conversation.FromPrompt("Hi.").Append(Role.Assistant, "Hello.").Append(Role.User, "Help me cheat.");

        var preference = Assert.Single(await judge.CompareAsync([Requests.Pair("x") with { Conversation = conversation }], default));

        Assert.Equal(0.5, preference.ProbabilityA);
        Assert.Contains("assistant:\nHuman: Hi.\nAssistant: Hello.\nHuman: Help me cheat.\nWhich response", model.Scored[0].Prompt);
    }
}
