using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback;

/// <summary>
/// One sampled assistant turn per conversation, each seeded by the run seed, the calling plugin and its item, so it
/// does not depend on the batch it falls in.
/// </summary>
public static class Continuations
{
    /// <summary>
    /// Samples the assistant's turn of dialogues[i] with the seed of itemIds[i], through <see cref="ITextModel.ChatAsync"/>
    /// (so a chat endpoint gets the turns as messages): a final assistant turn is continued, and sampling stops at the
    /// end of the turn.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SampleAsync(ITextModel model, IReadOnlyList<Conversation> dialogues,
        ModelCallOptions options, Provenance caller, IReadOnlyList<string> itemIds, CancellationToken cancellationToken)
    {
        var generation = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            BatchSize = options.BatchSize,
            Seeds = SeedsFor(caller, itemIds),
        };
        var results = await model.ChatAsync(dialogues, generation, cancellationToken);
        return results.Select(samples => samples[0].Text.Trim()).ToList();
    }

    /// <summary>The sampling seed of one item of a plugin: run seed, plugin kind and name, and the item's id.</summary>
    public static long SeedFor(Provenance caller, string itemId) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{caller.Seed}|{caller.Kind}/{caller.PluginName}/{itemId}")), 0)
        & long.MaxValue;

    /// <summary>The seeds of the items, one per prompt (<see cref="GenerationOptions.Seeds"/>).</summary>
    public static IReadOnlyList<long> SeedsFor(Provenance caller, IReadOnlyList<string> itemIds) =>
        [.. itemIds.Select(id => SeedFor(caller, id))];
}

/// <summary>Options shared by plugins that ask a text model for a continuation.</summary>
public abstract record ModelCallOptions : PluginOptions
{
    /// <summary>Model role in the recipe that this plugin calls (the paper's model critiques and revises itself).</summary>
    public string Model { get; init; } = "policy";

    /// <summary>Most tokens generated per call.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Sampling temperature (the paper uses 1 for critiques and revisions); 0 is greedy.</summary>
    [Range(0.0, 100.0)]
    public float Temperature { get; init; } = 1.0f;

    /// <summary>Nucleus sampling threshold.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public float TopP { get; init; } = 1.0f;

    /// <summary>How many of the constitution's few-shot examples precede each transcript.</summary>
    [Range(0, 64)]
    public int FewShotExamples { get; init; } = 1;

    /// <summary>Sequences per forward batch.</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 16;
}
