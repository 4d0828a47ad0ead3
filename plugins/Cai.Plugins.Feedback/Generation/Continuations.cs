using System.Security.Cryptography;
using System.Text;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.Generation;

/// <summary>One sampled continuation per prompt text, seeded by the run seed, the calling plugin and the batch's first item.</summary>
public static class Continuations
{
    public static async Task<IReadOnlyList<string>> SampleAsync(ITextModel model, IReadOnlyList<string> prompts,
        ModelCallOptions options, Provenance caller, string firstItemId, CancellationToken cancellationToken)
    {
        var generation = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            BatchSize = options.BatchSize,
            Seed = SeedFor(caller, firstItemId),
            StopStrings = model.TurnStopStrings,
        };
        var results = await model.GenerateAsync(prompts, generation, cancellationToken);
        return results.Select(samples => samples[0].Text.Trim()).ToList();
    }

    /// <summary>The sampling seed of a plugin's batch: run seed, plugin kind and name, and the batch's first item.</summary>
    public static long SeedFor(Provenance caller, string firstItemId) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{caller.Seed}|{caller.Kind}/{caller.PluginName}/{firstItemId}")), 0) & long.MaxValue;
}
