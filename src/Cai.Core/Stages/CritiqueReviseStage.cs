using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Constitution;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Prompts;
using Cai.Core.Runs;

namespace Cai.Core.Stages;

/// <summary>critique-revise: R rounds of critique then revision of the red-team responses (SL-CAI).</summary>
public sealed record CritiqueReviseOptions : StageOptions, IReadsPromptSets
{
    /// <summary>Prompt sets whose responses (from the latest generate stage) are critiqued and revised.</summary>
    [MinLength(1)]
    public IReadOnlyList<string> PromptSets { get; init; } = ["red_team"];

    /// <summary>Critique–revision rounds per response (few-shot examples are an option of the critic and reviser plugins) (the paper uses 4); every round is kept.</summary>
    [Range(1, 64)]
    public int Rounds { get; init; } = 4;

    /// <summary>Sampling temperature of critiques and revisions.</summary>
    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Most tokens per critique or revision.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 96;
}

/// <summary>
/// critique-revise (SL-CAI): for each red-team response, R rounds of: sample a principle for this item and round,
/// critique the latest response, revise it given the critique. Every round's principle, critique and revision is kept.
/// </summary>
public sealed class CritiqueReviseStage : IStage
{
    public async Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<CritiqueReviseOptions>();
        var source = context.RequireLatest("generate");
        var responses = JsonlRowStore.ReadCompleted(context.Run.Stage(source.Id))
            .Where(r => options.PromptSets.Contains((string?)r["prompt_set"] ?? "")).ToList();
        var sampler = new PrincipleSampler(context.Recipe.Constitution.Principles, context.Seed);
        var store = JsonlRowStore.Open(context.Layout);
        using var critic = context.CreatePlugin<ICritic>(PluginKind.Critic);
        using var reviser = context.CreatePlugin<IReviser>(PluginKind.Reviser);
        context.Observer.StageStarted(context.Stage.Id, "critique-revise", responses.Count);

        foreach (var batch in ItemBatches.Pending(responses, options.BatchSize, r => store.Contains((string)r["id"]!)))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            critic.RefreshIfChanged();
            reviser.RefreshIfChanged();
            var items = batch.Select(r => new Item(r)).ToList();
            for (int round = 1; round <= options.Rounds; round++)
            {
                foreach (var item in items) item.Principles.Add(sampler.Sample(item.Id, round));
                var critiques = await critic.CritiqueAsync(items.Select(i =>
                    new CritiqueRequest(RevisionId.Of(i.Id, round), i.Conversation, i.Latest, i.Principles[^1])).ToList(), context.CancellationToken);
                var revisions = await reviser.ReviseAsync(items.Select((i, n) =>
                    new RevisionRequest(RevisionId.Of(i.Id, round), i.Conversation, i.Latest, i.Principles[^1], critiques[n].Text)).ToList(), context.CancellationToken);
                for (int n = 0; n < items.Count; n++)
                {
                    items[n].Critiques.Add(critiques[n].Text);
                    items[n].Revisions.Add(revisions[n].Text);
                }
            }
            store.AppendBatch(items.Select(i => i.ToRow(critic.Provenance, reviser.Provenance)));
            context.Observer.StageProgress(context.Stage.Id, store.Rows.Count);
        }
        store.Complete();
        return StageOutcome.OfRows(store.Rows.Count);
    }

    sealed class Item(JsonObject source)
    {
        public string Id { get; } = (string)source["id"]!;
        public Conversation Conversation { get; } = ConversationRows.Of(source);
        public string Initial { get; } = (string)source["completion"]!;
        public List<Principle> Principles { get; } = [];
        public List<string> Critiques { get; } = [];
        public List<string> Revisions { get; } = [];
        public string Latest => Revisions.Count == 0 ? Initial : Revisions[^1];

        public JsonObject ToRow(Provenance critic, Provenance reviser)
        {
            var row = (JsonObject)source.DeepClone();
            row["initial"] = Initial;
            row["completion"] = Latest;
            row["principles"] = new JsonArray(Principles.Select(p => (JsonNode)p.Id).ToArray());
            row["critiques"] = new JsonArray(Critiques.Select(c => (JsonNode)c).ToArray());
            row["revisions"] = new JsonArray(Revisions.Select(r => (JsonNode)r).ToArray());
            row["critic"] = ProvenanceRow.Of(critic);
            row["reviser"] = ProvenanceRow.Of(reviser);
            return row;
        }
    }
}
