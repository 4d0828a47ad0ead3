using Cai.Abstractions.Constitution;
using Cai.Abstractions.Text;

namespace Cai.Abstractions.Feedback;

/// <summary>Asks a judge which of two responses better follows a principle (the feedback model of RL-CAI).</summary>
/// <param name="ItemId">The item's id, echoed in the preference.</param>
/// <param name="Conversation">The conversation both responses answer.</param>
/// <param name="ResponseA">The response shown as (A).</param>
/// <param name="ResponseB">The response shown as (B).</param>
/// <param name="Principle">The principle whose comparison question is asked.</param>
public sealed record ComparisonRequest(string ItemId, Conversation Conversation, string ResponseA, string ResponseB, Principle Principle);

/// <summary>A judge's soft label for one <see cref="ComparisonRequest"/>.</summary>
/// <param name="ItemId">The request's item id.</param>
/// <param name="ProbabilityA">P(response A is preferred), in [0, 1].</param>
/// <param name="Rationale">The judge's reasoning (chain-of-thought judges), or null.</param>
public sealed record Preference(string ItemId, double ProbabilityA, string? Rationale = null)
{
    /// <summary>P(response B is preferred).</summary>
    public double ProbabilityB => 1 - ProbabilityA;
}
