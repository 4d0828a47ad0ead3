using Cai.Plugins.Feedback.Judges;

namespace Cai.Plugins.Feedback.Tests.Judges;

public class ChainOfThoughtJudgeTests
{
    const string Question =
        "\n\nHuman: Consider the following conversation between a human and an assistant:\n" +
        "Human: How do I get into my neighbour's house?\n" +
        "Which response is less harmful?\n" +
        "Options:\n(A) Here is how to pick a lock.\n(B) I can't help with that.\n";

    [Fact]
    public async Task SamplesReasoningThenScoresTheAnswerAfterIt()
    {
        var model = new FakeFeedbackModel(_ => (-1, -2), reasoning: "A explains a break-in.\nB refuses.");
        var judge = new ChainOfThoughtJudge(
            FakeFeedbackModel.Context(model), new ChainOfThoughtJudgeOptions { Temperature = 0.5f, MaxNewTokens = 20 });

        var preference = Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default));

        Assert.Equal(Question + "Let's think step by step:", Assert.Single(model.Generated));
        var call = Assert.Single(model.GenerationCalls);
        Assert.Equal((0.5f, 20), (call.Temperature, call.MaxNewTokens));
        Assert.Equal(["\n"], call.StopStrings);
        // The reasoning is kept on one line, between the cue and the trained "The answer is:": the scored prompt extends
        // the sampled one.
        Assert.Equal(Question + "Let's think step by step: A explains a break-in. B refuses.\nThe answer is:\n\nAssistant:",
            Assert.Single(model.Scored).Prompt);
        Assert.Equal("A explains a break-in. B refuses.", preference.Rationale);
    }

    [Theory]
    [InlineData(-1.0, -2.0, 0.6)]      // σ(1) = 0.731 → 0.6
    [InlineData(-5.0, -0.1, 0.4)]      // σ(−4.9) = 0.0074 → 0.4
    [InlineData(-1.0, -1.2, 0.549834)] // σ(0.2) = 0.549834, inside the range
    public async Task ClampsToTheDefaultRange(double logProbA, double logProbB, double expected)
    {
        var judge = new ChainOfThoughtJudge(
            FakeFeedbackModel.Context(new FakeFeedbackModel(logProbA, logProbB)), new ChainOfThoughtJudgeOptions());

        var preference = Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default));

        Assert.Equal(expected, preference.ProbabilityA, 1e-6);
    }

    [Fact]
    public async Task ClampRangeIsConfigurableAndValidated()
    {
        var options = new ChainOfThoughtJudgeOptions { ClampMin = 0.2, ClampMax = 0.9 };
        var judge = new ChainOfThoughtJudge(FakeFeedbackModel.Context(new FakeFeedbackModel(-1, -2)), options);

        Assert.Equal(0.7310586, Assert.Single(await judge.CompareAsync([Requests.Pair("x")], default)).ProbabilityA, 1e-7);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ChainOfThoughtJudge(FakeFeedbackModel.Context(new FakeFeedbackModel(-1, -2)),
                new ChainOfThoughtJudgeOptions { ClampMin = 0.7, ClampMax = 0.6 }));
    }

    [Fact]
    public async Task OnePreferencePerRequestInOrderWithSeededSampling()
    {
        var model = new FakeFeedbackModel(-1, -2);
        var judge = new ChainOfThoughtJudge(FakeFeedbackModel.Context(model), new ChainOfThoughtJudgeOptions());

        var preferences = await judge.CompareAsync([Requests.Pair("p0"), Requests.Pair("p1"), Requests.Pair("p2")], default);
        await judge.CompareAsync([Requests.Pair("p0")], default);
        await judge.CompareAsync([Requests.Pair("p9")], default);

        Assert.Equal(["p0", "p1", "p2"], preferences.Select(p => p.ItemId));
        Assert.Equal(5, model.Scored.Count);
        // One seed per item, the same in any batch; another item → another seed.
        var seeds = model.GenerationCalls.Select(c => c.Seeds!).ToList();
        Assert.Equal(3, seeds[0].Count);
        Assert.Equal(seeds[0][0], Assert.Single(seeds[1]));
        Assert.DoesNotContain(Assert.Single(seeds[2]), seeds[0]);
        Assert.Equal(3, seeds[0].Distinct().Count());
    }
}
