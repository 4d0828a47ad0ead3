using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Plugins.Feedback.Generation;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>One line of reasoning per prompt, seeded by the judge's seed, its name and the batch's first item.</summary>
public static class ReasoningSampler
{
    public static async Task<IReadOnlyList<string>> SampleAsync(ITextModel model, IReadOnlyList<string> prompts,
        ChainOfThoughtJudgeOptions options, Provenance judge, string firstItemId, CancellationToken cancellationToken)
    {
        var generation = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            BatchSize = options.BatchSize,
            StopStrings = ["\n"],
            Seed = Continuations.SeedFor(judge, firstItemId),
        };
        var results = await model.GenerateAsync(prompts, generation, cancellationToken);
        return results.Select(samples => ReasoningPrompt.Clean(samples[0].Text)).ToList();
    }
}
