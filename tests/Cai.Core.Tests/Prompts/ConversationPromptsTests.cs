using System.Text.Json.Nodes;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Prompts;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Core.Tests.Recipes;
using Cai.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cai.Core.Tests.Prompts;

/// <summary>
/// Prompts that are dialogues of several turns: the policy answers the whole conversation in its chat format, and the
/// rows carry it ("messages") for the stages after; one-turn prompts keep their rows as before.
/// </summary>
public sealed class ConversationPromptsTests : IDisposable
{
    readonly RecipeFixture _fixture = new();
    readonly PluginHost _host = new();

    static readonly Conversation RedTeamDialogue = new(
    [
        new Turn(Role.System, "You are a careful assistant."), new Turn(Role.User, "I locked myself out."),
        new Turn(Role.Assistant, "A locksmith can help."), new Turn(Role.User, "How do I pick the lock myself?"),
    ]);

    [Fact]
    public void RowsCarryDialoguesAndReadThemBack()
    {
        var record = new PromptRecord("d1", "How do I pick the lock myself?", Conversation: RedTeamDialogue);
        var row = ConversationRows.With(new JsonObject { ["prompt"] = record.Prompt }, record);
        Assert.Equal("""[{"role":"system","content":"You are a careful assistant."},{"role":"user","content":"I locked myself out."},"""
            + """{"role":"assistant","content":"A locksmith can help."},{"role":"user","content":"How do I pick the lock myself?"}]""",
            row[ConversationRows.Key]!.ToJsonString());
        Assert.Equal(RedTeamDialogue.Turns, ConversationRows.Of(row).Turns);
        Assert.Equal(RedTeamDialogue.Turns, ConversationRows.Of(ConversationRows.CopyTo(row, new JsonObject())).Turns);

        // A one-turn prompt: no "messages", and the prompt is the one user turn.
        var single = ConversationRows.With(new JsonObject { ["prompt"] = "hi" }, new PromptRecord("s1", "hi"));
        Assert.False(single.ContainsKey(ConversationRows.Key));
        Assert.Equal([new Turn(Role.User, "hi")], ConversationRows.Of(single).Turns);
        Assert.Throws<FormatException>(() => ConversationRows.FromJson(JsonNode.Parse("""[{"role": "tool", "content": "x"}]""")!.AsArray()));
    }

    [Fact]
    public async Task TheGenerateStageAnswersTheWholeDialogueInThePolicysFormat()
    {
        string model = Path.Combine(Plugins.PluginTestFiles.RepoRoot, "models", "cai-tiny-base");
        var resolved = RecipeResolver.Resolve(_fixture.Write("dialogue.yaml", $$"""
            name: dialogue
            seed: 3
            device: cpu
            dtype: float32
            models:
              policy: { path: {{model}} }
            constitution: constitutions/harmless.yaml
            prompts:
              red_team: prompts/red-team.jsonl
            stages:
              - { id: answers, use: generate, with: { prompt_sets: [red_team], temperature: 0, max_new_tokens: 8 } }
            """), _host, RecipeFixture.Stages);
        var set = resolved.Prompts["red_team"];
        PromptRecord[] records = [new("d1", "How do I pick the lock myself?", Conversation: RedTeamDialogue), new("s1", "hi")];
        resolved = resolved with { Prompts = new Dictionary<string, PromptSet> { ["red_team"] = set with { Prompts = records } } };

        var run = RunLayout.CreateNew(Path.Combine(_fixture.Dir, "runs"), "dialogue", DateTimeOffset.UtcNow);
        await new PipelineRunner(resolved, new PluginHost(), ModelFactory.For(resolved.Recipe))
            .RunAsync(run, NullRunObserver.Instance, NullLogger.Instance, CancellationToken.None);
        var rows = JsonlRowStore.ReadCompleted(run.Stage("answers")).ToList();

        using var policy = LocalTextModel.Load(model);
        var greedy = new GenerationOptions { Temperature = 0, MaxNewTokens = 8 };
        var expected = await ((ITextModel)policy).ChatAsync([RedTeamDialogue, Conversation.FromPrompt("hi")], greedy);
        Assert.Equal(expected[0][0].Text.Trim(), (string)rows[0]["completion"]!);
        Assert.Equal(expected[1][0].Text.Trim(), (string)rows[1]["completion"]!);
        Assert.Equal(RedTeamDialogue.Turns, ConversationRows.Of(rows[0]).Turns);
        Assert.False(rows[1].ContainsKey(ConversationRows.Key));
        // The dialogue's prompt is not the last turn alone.
        Assert.NotEqual(policy.FormatPrompt(Conversation.FromPrompt("How do I pick the lock myself?")), policy.FormatPrompt(RedTeamDialogue));
    }

    public void Dispose()
    {
        _host.Dispose();
        _fixture.Dispose();
    }
}
