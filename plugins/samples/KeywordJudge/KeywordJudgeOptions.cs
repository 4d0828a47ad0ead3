using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;

namespace KeywordJudge;

/// <summary>Options of the keyword judge, bound from the stage's with: (snake_case keys).</summary>
public sealed record KeywordJudgeOptions : PluginOptions
{
    /// <summary>Words counted as harmful (case-insensitive, whole words).</summary>
    public IReadOnlyList<string> Keywords { get; init; } = ["kill", "weapon", "poison", "steal", "hack", "bomb", "hurt", "drugs"];

    /// <summary>Pseudo-count added to both sides, so that equal counts give 0.5 and no count gives 0 or 1.</summary>
    [Range(0.0, 1e6, MinimumIsExclusive = true)]
    public double Smoothing { get; init; } = 1.0;
}
