using System.ComponentModel.DataAnnotations;
namespace Cai.Core.Recipes.Stages;

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
