using System.ComponentModel.DataAnnotations;
namespace Cai.Core.Recipes.Stages;

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
