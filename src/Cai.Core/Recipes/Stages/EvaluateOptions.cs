using System.ComponentModel.DataAnnotations;
namespace Cai.Core.Recipes.Stages;

/// <summary>evaluate: samples held-out prompts and scores the responses with the independent evaluator.</summary>
public sealed record EvaluateOptions : StageOptions, IReadsPromptSets
{
    /// <summary>Prompt sets (names under prompts:) to evaluate on.</summary>
    [MinLength(1)]
    public IReadOnlyList<string> PromptSets { get; init; } = ["eval_red_team", "eval_helpful"];

    /// <summary>Use only the first this-many prompts of each set (all when unset).</summary>
    [Range(1, int.MaxValue)]
    public int? MaxPrompts { get; init; }

    /// <summary>Responses sampled per prompt.</summary>
    [Range(1, 1024)]
    public int Samples { get; init; } = 1;

    /// <summary>Sampling temperature.</summary>
    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Most tokens per response.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 96;
}
