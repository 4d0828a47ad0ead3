using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Prompts;
using Cai.Core.Runs;

namespace Cai.Core.Stages;

/// <summary>sample-pairs: the SL-CAI model samples several responses per prompt for labelling (RL-CAI).</summary>
public sealed record SamplePairsOptions : StageOptions, IReadsPromptSets
{
    /// <summary>Prompt sets (names under prompts:) to sample on.</summary>
    [MinLength(1)]
    public IReadOnlyList<string> PromptSets { get; init; } = ["red_team"];

    /// <summary>Use only the first this-many prompts of each set (all when unset).</summary>
    [Range(1, int.MaxValue)]
    public int? MaxPrompts { get; init; }

    /// <summary>Responses per prompt; every pair among them is labelled.</summary>
    [Range(2, 64)]
    public int N { get; init; } = 2;

    /// <summary>Sampling temperature (about 1 in the paper).</summary>
    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling threshold; 1 disables.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double TopP { get; init; } = 1.0;

    /// <summary>Most tokens per response.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 96;
}

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
            MaxNewTokens = options.MaxNewTokens,
            Temperature = (float)options.Temperature,
            TopP = (float)options.TopP,
            NumReturnSequences = options.N,
            BatchSize = options.BatchSize,
        };
        foreach (var batch in ItemBatches.Pending(prompts, options.BatchSize, p => store.Contains($"{p.Set}/{p.Prompt.Id}")))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var samples = await PromptSelection.AnswerAsync(context, model, batch, sampling);
            store.AppendBatch(batch.Select((p, i) => ConversationRows.With(new JsonObject
            {
                ["id"] = $"{p.Set}/{p.Prompt.Id}",
                ["prompt_set"] = p.Set,
                ["prompt_id"] = p.Prompt.Id,
                ["category"] = p.Prompt.Category,
                ["kind"] = p.Prompt.Kind,
                ["prompt"] = p.Prompt.Prompt,
                ["responses"] = new JsonArray(samples[i].Select(s => (JsonNode)s.Text.Trim()).ToArray()),
                ["model"] = model.Name,
            }, p.Prompt)));
            context.Observer.StageProgress(context.Stage.Id, store.Rows.Count);
        }
        store.Complete();
        return StageOutcome.OfRows(store.Rows.Count);
    }
}
