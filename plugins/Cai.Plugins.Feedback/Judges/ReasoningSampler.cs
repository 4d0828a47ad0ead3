using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Plugins.Feedback.Generation;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>One line of reasoning per prompt, each seeded by the judge's seed, its name and its item.</summary>
public static class ReasoningSampler
{
    /// <summary>Samples the reasoning of prompts[i] with the seed of itemIds[i].</summary>
    public static async Task<IReadOnlyList<string>> SampleAsync(ITextModel model, IReadOnlyList<string> prompts,
        ChainOfThoughtJudgeOptions options, Provenance judge, IReadOnlyList<string> itemIds, CancellationToken cancellationToken)
    {
        var generation = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            BatchSize = options.BatchSize,
            StopStrings = ["\n"],
            Seeds = Continuations.SeedsFor(judge, itemIds),
        };
        var results = await model.GenerateAsync(prompts, generation, cancellationToken);
        return results.Select(samples => ReasoningPrompt.Clean(samples[0].Text)).ToList();
    }
}
