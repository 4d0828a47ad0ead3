using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Core.Recipes.Stages;
using Cai.Core.Runs;

namespace Cai.Core.Pipeline.Stages;

/// <summary>sample-pairs (RL-CAI): the policy samples n responses per prompt; every pair among them is labelled later.</summary>
public sealed class SamplePairsStage : IStage
{
    public async Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<SamplePairsOptions>();
        if (options.N < 2) throw new InvalidOperationException($"stage '{context.Stage.Id}': n must be at least 2 to form pairs");
        var model = context.Models.Get("policy");
        var prompts = PromptSelection.Of(context, options.PromptSets, options.MaxPrompts);
        var store = JsonlRowStore.Open(context.Layout);
        context.Observer.StageStarted(context.Stage.Id, "sample-pairs", prompts.Count);
        var sampling = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens, Temperature = (float)options.Temperature, TopP = (float)options.TopP,
            NumReturnSequences = options.N, BatchSize = options.BatchSize,
        };
        foreach (var batch in ItemBatches.Pending(prompts, options.BatchSize, p => store.Contains($"{p.Set}/{p.Prompt.Id}")))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var samples = await PromptSelection.AnswerAsync(context, model, batch, sampling);
            store.AppendBatch(batch.Select((p, i) => new JsonObject
            {
                ["id"] = $"{p.Set}/{p.Prompt.Id}",
                ["prompt_set"] = p.Set,
                ["prompt_id"] = p.Prompt.Id,
                ["category"] = p.Prompt.Category,
                ["kind"] = p.Prompt.Kind,
                ["prompt"] = p.Prompt.Prompt,
                ["responses"] = new JsonArray(samples[i].Select(s => (JsonNode)s.Text.Trim()).ToArray()),
                ["model"] = model.Name,
            }));
            context.Observer.StageProgress(context.Stage.Id, store.Rows.Count);
        }
        store.Complete();
        return StageOutcome.OfRows(store.Rows.Count);
    }
}
