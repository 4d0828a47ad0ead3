using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Runs;
using Cai.Core.Stages;

namespace Cai.Core.Prompts;

/// <summary>Options of the stages in which the policy samples answers to prompt sets (generate, sample-pairs).</summary>
public abstract record PromptSamplingOptions : StageOptions
{
    /// <summary>Use only the first this-many prompts of each set (all when unset).</summary>
    [Range(1, int.MaxValue)]
    public int? MaxPrompts { get; init; }

    /// <summary>Most tokens per response.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 96;

    /// <summary>Sampling temperature; 0 is greedy (about 1 in the paper).</summary>
    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling threshold; 1 disables.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double TopP { get; init; } = 1.0;
}

/// <summary>The (set, prompt) items a stage works on, and the policy's seeded answers to a batch of them.</summary>
public static class PromptSelection
{
    /// <summary>The named sets in order, each cut to max_prompts.</summary>
    public static IReadOnlyList<(string Set, PromptRecord Prompt)> Of(StageContext context, IReadOnlyList<string> sets, int? maxPrompts) =>
        sets.SelectMany(set => context.Recipe.Prompts[set].Prompts.Take(maxPrompts ?? int.MaxValue).Select(p => (set, p))).ToList();

    /// <summary>
    /// Samples answers to each prompt's conversation (<see cref="PromptRecord.Dialogue"/>) through
    /// <see cref="ITextModel.ChatAsync"/>: in the model's chat format, ending at its turn's end. Each prompt has its own seed, from
    /// <paramref name="seed"/>, <paramref name="scope"/> (a stage's id) and the prompt (set and id), so its answers do
    /// not depend on the batch it falls in.
    /// </summary>
    public static Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> AnswerAsync(ITextModel model,
        IReadOnlyList<(string Set, PromptRecord Prompt)> batch, GenerationOptions sampling, long seed, string scope,
        CancellationToken cancellationToken)
    {
        var conversations = batch.Select(p => p.Prompt.Dialogue()).ToList();
        var seeds = batch.Select(p => (long)StableSeed.Derive(seed, scope, $"{p.Set}/{p.Prompt.Id}")).ToList();
        return model.ChatAsync(conversations, sampling with { Seeds = seeds, StopStrings = [] }, cancellationToken);
    }

    /// <summary><see cref="AnswerAsync(ITextModel, IReadOnlyList{ValueTuple{string, PromptRecord}}, GenerationOptions, long, string,
    /// CancellationToken)"/>
    /// seeded by the run seed and the stage's id.</summary>
    public static Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> AnswerAsync(StageContext context, ITextModel model,
        IReadOnlyList<(string Set, PromptRecord Prompt)> batch, GenerationOptions sampling) =>
        AnswerAsync(model, batch, sampling, context.Seed, context.Stage.Id, context.CancellationToken);

    /// <summary>
    /// The policy answers each prompt of <paramref name="sets"/> <paramref name="n"/> times, batch by batch, skipping
    /// prompts whose first row is already written (a resumed stage); <paramref name="rows"/> turns one prompt's answers
    /// into the rows the stage writes.
    /// </summary>
    public static async Task<StageOutcome> AnswerEachAsync(StageContext context, PromptSamplingOptions options,
        IReadOnlyList<string> sets, int n, Func<(string Set, PromptRecord Prompt), string> firstRowId,
        Func<(string Set, PromptRecord Prompt), IReadOnlyList<GeneratedText>, string, IEnumerable<JsonObject>> rows)
    {
        var model = context.Models.Get("policy");
        var prompts = Of(context, sets, options.MaxPrompts);
        var store = JsonlRowStore.Open(context.Layout);
        context.Observer.StageStarted(context.Stage.Id, context.Stage.Kind.Name, prompts.Count);
        var sampling = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = (float)options.Temperature,
            TopP = (float)options.TopP,
            NumReturnSequences = n,
            BatchSize = options.BatchSize,
        };
        int done = prompts.Count(p => store.Contains(firstRowId(p)));
        foreach (var batch in ItemBatches.Pending(prompts, options.BatchSize, p => store.Contains(firstRowId(p))))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var samples = await AnswerAsync(context, model, batch, sampling);
            store.AppendBatch(batch.SelectMany((p, i) => rows(p, samples[i], model.Name)));
            done += batch.Count;
            context.Observer.StageProgress(context.Stage.Id, done);
        }
        store.Complete();
        return StageOutcome.OfRows(store.Rows.Count);
    }
}
