using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Core.Prompts;
using Cai.Core.Recipes.Stages;
using Cai.Core.Runs;

namespace Cai.Core.Pipeline.Stages;

/// <summary>generate: the policy answers every prompt of the named sets, n times.</summary>
public sealed class GenerateStage : IStage
{
    public async Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<GenerateOptions>();
        var model = context.Models.Get("policy");
        var prompts = PromptSelection.Of(context, options.PromptSets, options.MaxPrompts);
        var store = JsonlRowStore.Open(context.Layout);
        context.Observer.StageStarted(context.Stage.Id, "generate", prompts.Count);
        var sampling = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens, Temperature = (float)options.Temperature, TopP = (float)options.TopP,
            NumReturnSequences = options.N, BatchSize = options.BatchSize,
        };
        foreach (var batch in ItemBatches.Pending(prompts, options.BatchSize, p => store.Contains(RowId(p.Set, p.Prompt, 0))))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var samples = await PromptSelection.AnswerAsync(context, model, batch, sampling);
            store.AppendBatch(batch.SelectMany((p, i) => samples[i].Select((s, k) => Row(p.Set, p.Prompt, k, s.Text.Trim(), model.Name))));
            context.Observer.StageProgress(context.Stage.Id, store.Rows.Count / Math.Max(1, options.N));
        }
        store.Complete();
        return StageOutcome.OfRows(store.Rows.Count);
    }

    static string RowId(string set, PromptRecord prompt, int sample) => $"{set}/{prompt.Id}/{sample}";

    static JsonObject Row(string set, PromptRecord prompt, int sample, string completion, string model) => new()
    {
        ["id"] = RowId(set, prompt, sample),
        ["prompt_set"] = set,
        ["prompt_id"] = prompt.Id,
        ["category"] = prompt.Category,
        ["kind"] = prompt.Kind,
        ["prompt"] = prompt.Prompt,
        ["completion"] = completion,
        ["model"] = model,
    };
}
