using System.Text.Json.Nodes;
using Cai.Abstractions.Input;
using Cai.Abstractions.Text;
using Cai.Core.Recipes.Stages;
using Cai.Core.Runs;

namespace Cai.Core.Pipeline.Stages;

/// <summary>
/// evaluate: the current policy answers held-out prompts and the independent evaluator labels each response.
/// The stage's metrics are the rate of each label per prompt set ("eval_red_team/harmful", ...).
/// </summary>
public sealed class EvaluateStage(IResponseEvaluator? evaluator) : IStage
{
    public async Task<StageOutcome> RunAsync(StageContext context)
    {
        if (evaluator is null) throw new InvalidOperationException($"stage '{context.Stage.Id}' needs an evaluator, and none is configured");
        var options = context.Options<EvaluateOptions>();
        var prompts = PromptSelection.Of(context, options.PromptSets, options.MaxPrompts);
        // Before sampling anything: a prompt the evaluator cannot label would fail the stage after the work.
        InputException.ThrowIfAny(prompts
            .Where(p => evaluator.Refuses(p.Prompt) is not null)
            .Select(p => new InputError(new SourceLocation(context.Recipe.Prompts[p.Set].Path), evaluator.Refuses(p.Prompt)!))
            .ToList());
        var model = context.Models.Get("policy");
        var store = JsonlRowStore.Open(context.Layout);
        context.Observer.StageStarted(context.Stage.Id, "evaluate", prompts.Count);
        var sampling = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens, Temperature = (float)options.Temperature,
            NumReturnSequences = options.Samples, BatchSize = options.BatchSize,
        };
        foreach (var batch in ItemBatches.Pending(prompts, options.BatchSize, p => store.Contains($"{p.Set}/{p.Prompt.Id}/0")))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var samples = await PromptSelection.AnswerAsync(context, model, batch, sampling);
            store.AppendBatch(batch.SelectMany((p, i) => samples[i].Select((s, k) => new JsonObject
            {
                ["id"] = $"{p.Set}/{p.Prompt.Id}/{k}",
                ["prompt_set"] = p.Set,
                ["prompt_id"] = p.Prompt.Id,
                ["category"] = p.Prompt.Category,
                ["prompt"] = p.Prompt.Prompt,
                ["completion"] = s.Text.Trim(),
                ["label"] = evaluator.Label(p.Prompt, s.Text.Trim()),
                ["model"] = model.Name,
                ["evaluator"] = evaluator.Name,
            })));
            context.Observer.StageProgress(context.Stage.Id, store.Rows.Count / Math.Max(1, options.Samples));
        }
        store.Complete();
        return new StageOutcome(store.Rows.Count, Rates(store.Rows), new Dictionary<string, string>());
    }

    /// <summary>Rate of each label within each prompt set.</summary>
    public static IReadOnlyDictionary<string, double> Rates(IEnumerable<JsonObject> rows) =>
        rows.GroupBy(r => (string)r["prompt_set"]!)
            .SelectMany(set => set.GroupBy(r => (string)r["label"]!)
                .Select(label => (Key: $"{set.Key}/{label.Key}", Rate: label.Count() / (double)set.Count())))
            .ToDictionary(x => x.Key, x => x.Rate);
}
