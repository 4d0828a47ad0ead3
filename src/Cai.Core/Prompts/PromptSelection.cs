using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;

namespace Cai.Core.Prompts;

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
}
