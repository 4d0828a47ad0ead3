using System.ComponentModel.DataAnnotations;
namespace Cai.Core.Recipes.Stages;

/// <summary>label: the judge gives each pair a soft label P(A preferred) under sampled principles (AI feedback).</summary>
public sealed record LabelOptions : StageOptions
{
    /// <summary>Ask A/B and B/A and average, to cancel position bias.</summary>
    public bool BothOrders { get; init; } = true;

    /// <summary>Principles sampled per pair; their probabilities are averaged (an ensemble over principles).</summary>
    [Range(1, 1024)]
    public int Principles { get; init; } = 1;
}
