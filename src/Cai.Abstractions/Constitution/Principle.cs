namespace Cai.Abstractions.Constitution;

/// <summary>One principle of a constitution.</summary>
/// <param name="Id">Stable identifier recorded in every row it produced.</param>
/// <param name="CritiqueRequest">Asks the critic to find how the last response violates the principle.</param>
/// <param name="RevisionRequest">Asks the reviser to rewrite the response to remove what the critique found.</param>
/// <param name="ComparisonQuestion">Asks the feedback model which of two responses better follows the principle.</param>
public sealed record Principle(string Id, string CritiqueRequest, string RevisionRequest, string ComparisonQuestion);
