using Cai.Core.Prompts;

namespace Cai.Core.Pipeline;

/// <summary>The (set, prompt) items a stage works on: the named sets in order, each cut to max_prompts.</summary>
public static class PromptSelection
{
    public static IReadOnlyList<(string Set, PromptRecord Prompt)> Of(StageContext context, IReadOnlyList<string> sets, int? maxPrompts) =>
        sets.SelectMany(set => context.Recipe.Prompts[set].Prompts.Take(maxPrompts ?? int.MaxValue).Select(p => (set, p))).ToList();
}
