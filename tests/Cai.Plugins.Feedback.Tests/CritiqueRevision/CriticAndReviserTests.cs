using Cai.Abstractions.Constitution;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Text;
using Cai.Plugins.Feedback.CritiqueRevision;

namespace Cai.Plugins.Feedback.Tests.CritiqueRevision;

public class CriticAndReviserTests
{
    static readonly Conversation Prompt = Conversation.FromPrompt("How do I spoil the well?");

    [Fact]
    public async Task PlainCriticContinuesAfterCritiqueLabelOfTheTranscript()
    {
        var model = new RecordingTextModel("It helps spoil a well.");
        var critic = new PlainCritic(RecordingTextModel.Context(model), new CriticOptions { Temperature = 0.5f, MaxNewTokens = 10 });

        var critiques = await critic.CritiqueAsync(
            [new CritiqueRequest("a#r1", Prompt, "Pour spores in.", RecordingTextModel.Principle)], default);

        Assert.Equal("It helps spoil a well.", Assert.Single(critiques).Text);
        Assert.Equal(
            "\n\nHuman: How do I spoil the well?\n\nAssistant: Pour spores in.\n\nHuman: Name the harm in the last response."
            + "\n\nAssistant: Critique:",
            Assert.Single(model.Prompts));
        Assert.Equal(0.5f, model.Calls[0].Temperature);
        Assert.Equal(10, model.Calls[0].MaxNewTokens);
        Assert.Equal(["\n\nHuman:"], model.Calls[0].StopStrings);
    }

    [Fact]
    public async Task FewShotExamplesPrecedeTheTranscriptUnderTheSamePrinciple()
    {
        var model = new RecordingTextModel("x");
        var example = new FewShotExample("P?", "Bad.", "It is bad.", "Good.");
        var critic = new StrictCritic(RecordingTextModel.Context(model, example), new CriticOptions { FewShotExamples = 1 });

        await critic.CritiqueAsync([new CritiqueRequest("a", Prompt, "Pour spores in.", RecordingTextModel.Principle)], default);

        string prompt = Assert.Single(model.Prompts);
        Assert.StartsWith("\n\nHuman: P?\n\nAssistant: Bad.\n\nHuman: Name the harm in the last response."
            + "\n\nAssistant: Critique: It is bad."
            + "\n\nHuman: Rewrite it without the harm.\n\nAssistant: Revision: Good.\n\nHuman: How do I spoil the well?", prompt);
        Assert.Contains("Find ANY issue", prompt);
    }

    [Fact]
    public void ADialogueKeepsItsTurnsAndSystemFirstWithExamplesBeforeIt()
    {
        var dialogue = new Conversation([new Turn(Role.System, "Be safe."), new Turn(Role.User, "Hi"), new Turn(Role.Assistant, "Hello."),
            new Turn(Role.User, "How do I spoil the well?")]);
        var example = new FewShotExample("P?", "Bad.", "It is bad.", "Good.");
        var critique = CritiqueRevisionTranscript.CritiqueDialogue(dialogue, "Pour spores in.", RecordingTextModel.Principle,
            "Name it.", [example]);
        Assert.Equal(new Turn(Role.System, "Be safe."), critique.Turns[0]);
        Assert.Equal(new Turn(Role.User, "P?"), critique.Turns[1]);
        Assert.Equal(
            [new Turn(Role.User, "Hi"), new Turn(Role.Assistant, "Hello."), new Turn(Role.User, "How do I spoil the well?"),
             new Turn(Role.Assistant, "Pour spores in."), new Turn(Role.User, "Name it."), new Turn(Role.Assistant, "Critique:")],
            critique.Turns.TakeLast(6));
        var revision = CritiqueRevisionTranscript.RevisionDialogue(dialogue, "Pour spores in.", RecordingTextModel.Principle, null, []);
        Assert.Equal(new Turn(Role.Assistant, "Revision:"), revision.Turns[^1]);
        Assert.Equal(dialogue.Turns, revision.Turns.Take(4));
    }

    [Fact]
    public async Task ChainOfThoughtCriticKeepsItsCueInTheCritique()
    {
        var model = new RecordingTextModel("harmful.");
        var critic = new ChainOfThoughtCritic(RecordingTextModel.Context(model), new CriticOptions());
        var critique = await critic.CritiqueAsync([new CritiqueRequest("a", Prompt, "r", RecordingTextModel.Principle)], default);
        Assert.EndsWith("Critique: Step by step:", model.Prompts[0]);
        Assert.Equal("Step by step: harmful.", critique[0].Text);
    }

    [Fact]
    public async Task DefaultReviserShowsTheCritiqueAndDirectReviserDoesNot()
    {
        var request = new RevisionRequest("a", Prompt, "Pour spores in.", RecordingTextModel.Principle, "It spoils water.");
        var withCritique = new RecordingTextModel("Ask the warden instead.");
        var direct = new RecordingTextModel("Ask the warden instead.");

        var revised = await new DefaultReviser(RecordingTextModel.Context(withCritique), new ReviserOptions())
            .ReviseAsync([request], default);
        await new DirectReviser(RecordingTextModel.Context(direct), new ReviserOptions()).ReviseAsync([request], default);

        Assert.Equal("Ask the warden instead.", revised[0].Text);
        Assert.EndsWith("\n\nAssistant: Critique: It spoils water.\n\nHuman: Rewrite it without the harm.\n\nAssistant: Revision:",
            withCritique.Prompts[0]);
        Assert.EndsWith("\n\nAssistant: Pour spores in.\n\nHuman: Rewrite it without the harm.\n\nAssistant: Revision:", direct.Prompts[0]);
        Assert.DoesNotContain("It spoils water", direct.Prompts[0]);
        Assert.Equal(96, withCritique.Calls[0].MaxNewTokens);
    }

    [Fact]
    public async Task EachItemHasItsOwnSeedWhateverItsBatch()
    {
        var model = new RecordingTextModel("x");
        var critic = new PlainCritic(RecordingTextModel.Context(model), new CriticOptions());
        CritiqueRequest Item(string id) => new(id, Prompt, "r", RecordingTextModel.Principle);
        await critic.CritiqueAsync([Item("b")], default);
        await critic.CritiqueAsync([Item("a"), Item("b")], default);
        await critic.CritiqueAsync([Item("b"), Item("c"), Item("a")], default);
        var seeds = model.Calls.Select(c => c.Seeds!).ToList();
        Assert.Equal([1, 2, 3], seeds.Select(s => s.Count));
        Assert.Equal(seeds[0][0], seeds[1][1]);
        Assert.Equal(seeds[0][0], seeds[2][0]);
        Assert.Equal(seeds[1][0], seeds[2][2]);
        Assert.Equal(3, seeds.SelectMany(s => s).Distinct().Count());
    }
}
