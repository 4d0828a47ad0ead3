using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;
using Cai.Plugins.Feedback.Judging;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>Options of the ensemble judge.</summary>
public sealed record EnsembleJudgeOptions : PluginOptions, IValidatableObject
{
    /// <summary>
    /// Member judges by name. "multiple-choice" and "chain-of-thought" join once per feedback model, with their
    /// default options; any other judge plugin (e.g. the sample "keyword") joins once, created by the host.
    /// </summary>
    [MinLength(1)]
    public IReadOnlyList<string> Members { get; init; } = ["multiple-choice"];

    /// <summary>Model roles the built-in members judge with; empty means every feedback model of the recipe
    /// ("feedback", "feedback.1", ...), or the policy when there is none.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>How members' labels become one: mean probability (a soft label) or majority vote (a hard label).</summary>
    public EnsembleCombination Combination { get; init; } = EnsembleCombination.Mean;

    /// <summary>An ensemble does not contain itself.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Members.Contains(EnsembleJudge.Name))
            yield return new ValidationResult($"must not contain '{EnsembleJudge.Name}' itself", [nameof(Members)]);
    }
}
