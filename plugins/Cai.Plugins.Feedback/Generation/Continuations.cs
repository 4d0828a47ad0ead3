using System.Security.Cryptography;
using System.Text;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.Generation;

/// <summary>
/// One sampled continuation per prompt text, each seeded by the run seed, the calling plugin and its item, so it does
/// not depend on the batch it falls in.
/// </summary>
public static class Continuations
{
    /// <summary>Samples prompts[i] with the seed of itemIds[i].</summary>
    public static async Task<IReadOnlyList<string>> SampleAsync(ITextModel model, IReadOnlyList<string> prompts,
        ModelCallOptions options, Provenance caller, IReadOnlyList<string> itemIds, CancellationToken cancellationToken)
    {
        var generation = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            BatchSize = options.BatchSize,
            Seeds = SeedsFor(caller, itemIds),
            StopStrings = model.TurnStopStrings,
        };
        var results = await model.GenerateAsync(prompts, generation, cancellationToken);
        return results.Select(samples => samples[0].Text.Trim()).ToList();
    }

    /// <summary>The sampling seed of one item of a plugin: run seed, plugin kind and name, and the item's id.</summary>
    public static long SeedFor(Provenance caller, string itemId) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{caller.Seed}|{caller.Kind}/{caller.PluginName}/{itemId}")), 0) & long.MaxValue;

    /// <summary>The seeds of the items, one per prompt (<see cref="GenerationOptions.Seeds"/>).</summary>
    public static IReadOnlyList<long> SeedsFor(Provenance caller, IReadOnlyList<string> itemIds) => [.. itemIds.Select(id => SeedFor(caller, id))];
}
