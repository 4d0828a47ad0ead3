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
    /// <summary>How close to 0.5 a probability is a tie: <see cref="Decide"/>'s one tie rule.</summary>
    public const double TieTolerance = 1e-9;

    /// <summary>
    /// An ensemble's members' own P(A) by member name (e.g. "multiple-choice@feedback.1"), or null for a single judge.
    /// The label stage writes them beside the combined label and the report holds each member against the evaluator.
    /// </summary>
    public IReadOnlyDictionary<string, double>? MemberLabels { get; init; }

    /// <summary>How the judge's model scored the choice (log-probabilities, top log-probabilities or sampled votes), or null
    /// when the label does not come from a model's choice scores (a keyword judge, an ensemble of mixed methods).</summary>
    public ScoringMethod? Method { get; init; }

    /// <summary>An ensemble's members' <see cref="Method"/> by member name, for the members that have one; null for a single
    /// judge.</summary>
    public IReadOnlyDictionary<string, ScoringMethod>? MemberMethods { get; init; }

    /// <summary>P(response B is preferred).</summary>
    public double ProbabilityB => 1 - ProbabilityA;

    /// <summary>The hard decision behind this soft label (<see cref="Decide"/>).</summary>
    public PreferredResponse Decision => Decide(ProbabilityA);

    /// <summary>
    /// The hard decision behind a soft label: a tie when <paramref name="probabilityA"/> is within
    /// <see cref="TieTolerance"/> of 0.5 (so a both-orders average that rounding leaves at 0.49999999999999994 is a
    /// tie), otherwise A above 0.5 and B below.
    /// </summary>
    /// <param name="probabilityA">P(response A is preferred).</param>
    public static PreferredResponse Decide(double probabilityA) =>
        Math.Abs(probabilityA - 0.5) < TieTolerance ? PreferredResponse.Tie
        : probabilityA > 0.5 ? PreferredResponse.A : PreferredResponse.B;

    /// <summary>
    /// P(A) with position bias cancelled: the judge saw the pair as (A)=A,(B)=B and again swapped as (A)=B,(B)=A. In the
    /// swapped order the judge's "(A)" is our B, so P(our A) there is 1 − its P(A); the two are averaged:
    /// (p + (1 − p_swapped)) / 2.
    /// </summary>
    /// <param name="probabilityA">P("(A)") when A is shown first.</param>
    /// <param name="swappedProbabilityA">P("(A)") when B is shown first.</param>
    public static double InBothOrders(double probabilityA, double swappedProbabilityA) =>
        (probabilityA + (1 - swappedProbabilityA)) / 2;
}

/// <summary>The hard decision behind a soft label (<see cref="Preference.Decide"/>); the values are the signs of a vote.</summary>
public enum PreferredResponse
{
    /// <summary>Response B is preferred.</summary>
    B = -1,

    /// <summary>Neither: the soft label is 0.5.</summary>
    Tie = 0,

    /// <summary>Response A is preferred.</summary>
    A = 1,
}
