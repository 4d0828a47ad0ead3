using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Prompts;
using Cai.Core.Runs;

namespace Cai.Core.Stages;

/// <summary>generate: the policy answers the prompts of the given sets.</summary>
public sealed record GenerateOptions : StageOptions, IReadsPromptSets
{
    /// <summary>Prompt sets (names under prompts:) the policy answers.</summary>
    [MinLength(1)]
    public IReadOnlyList<string> PromptSets { get; init; } = ["red_team", "helpful"];

    /// <summary>Use only the first this-many prompts of each set (all when unset).</summary>
    [Range(1, int.MaxValue)]
    public int? MaxPrompts { get; init; }

    /// <summary>Most tokens per response.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 96;

    /// <summary>Sampling temperature; 0 is greedy.</summary>
    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling threshold; 1 disables.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double TopP { get; init; } = 1.0;

    /// <summary>Responses per prompt.</summary>
    [Range(1, 1024)]
    public int N { get; init; } = 1;
}

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
            MaxNewTokens = options.MaxNewTokens,
            Temperature = (float)options.Temperature,
            TopP = (float)options.TopP,
            NumReturnSequences = options.N,
            BatchSize = options.BatchSize,
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

    static JsonObject Row(string set, PromptRecord prompt, int sample, string completion, string model) => ConversationRows.With(new()
    {
        ["id"] = RowId(set, prompt, sample),
        ["prompt_set"] = set,
        ["prompt_id"] = prompt.Id,
        ["category"] = prompt.Category,
        ["kind"] = prompt.Kind,
        ["prompt"] = prompt.Prompt,
        ["completion"] = completion,
        ["model"] = model,
    }, prompt);
}
