using System.ComponentModel.DataAnnotations;
namespace Cai.Core.Recipes.Stages;

/// <summary>critique-revise: R rounds of critique then revision of the red-team responses (SL-CAI).</summary>
public sealed record CritiqueReviseOptions : StageOptions, IReadsPromptSets
{
    /// <summary>Prompt sets whose responses (from the latest generate stage) are critiqued and revised.</summary>
    [MinLength(1)]
    public IReadOnlyList<string> PromptSets { get; init; } = ["red_team"];

    /// <summary>Critique–revision rounds per response (few-shot examples are an option of the critic and reviser plugins) (the paper uses 4); every round is kept.</summary>
    [Range(1, 64)]
    public int Rounds { get; init; } = 4;

    /// <summary>Sampling temperature of critiques and revisions.</summary>
    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Most tokens per critique or revision.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 96;
}
