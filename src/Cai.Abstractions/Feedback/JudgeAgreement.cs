namespace Cai.Abstractions.Feedback;

/// <summary>
/// How often a judge's hard decisions (<see cref="Preference.Decide"/>) agree with a reference's: another judge, an
/// ensemble, or the independent evaluator. One rule for every comparison: an item the judge calls even is a
/// <see cref="Ties">tie</see>, counted apart; an item the reference calls even is left out; the others are
/// <see cref="Decided"/>, and agree when both prefer the same response.
/// </summary>
/// <param name="Decided">Items neither side calls even.</param>
/// <param name="Agreeing">Decided items on which both prefer the same response.</param>
/// <param name="Ties">Items the judge calls even.</param>
public readonly record struct JudgeAgreement(int Decided, int Agreeing, int Ties)
{
    /// <summary>Agreeing / Decided; NaN when nothing was decided.</summary>
    public double Rate => Decided == 0 ? double.NaN : Agreeing / (double)Decided;

    /// <summary>This count with one more item.</summary>
    /// <param name="probabilityA">The judge's P(A).</param>
    /// <param name="referenceProbabilityA">The reference's P(A) (1, 0 or 0.5 for a hard reference such as the evaluator).</param>
    public JudgeAgreement Add(double probabilityA, double referenceProbabilityA)
    {
        var judge = Preference.Decide(probabilityA);
        var reference = Preference.Decide(referenceProbabilityA);
        if (judge == PreferredResponse.Tie) return this with { Ties = Ties + 1 };
        if (reference == PreferredResponse.Tie) return this;
        return new JudgeAgreement(Decided + 1, Agreeing + (judge == reference ? 1 : 0), Ties);
    }

    /// <summary>Sums two counts.</summary>
    /// <param name="a">One count.</param>
    /// <param name="b">The other.</param>
    public static JudgeAgreement operator +(JudgeAgreement a, JudgeAgreement b) =>
        new(a.Decided + b.Decided, a.Agreeing + b.Agreeing, a.Ties + b.Ties);

    /// <summary>Item by item agreement of two label sequences (P(A) each), e.g. a member and the ensemble.</summary>
    /// <param name="labels">The judge's P(A) per item.</param>
    /// <param name="reference">The reference's P(A) per item.</param>
    /// <exception cref="ArgumentException">The sequences differ in length.</exception>
    public static JudgeAgreement Between(IReadOnlyList<double> labels, IReadOnlyList<double> reference)
    {
        if (labels.Count != reference.Count)
            throw new ArgumentException($"Got {labels.Count} labels but {reference.Count} reference labels.");
        var agreement = new JudgeAgreement();
        for (int i = 0; i < labels.Count; i++) agreement = agreement.Add(labels[i], reference[i]);
        return agreement;
    }

    /// <summary>
    /// Agreement among judges: every pair of members (the first of the pair as the judge) on every item;
    /// <paramref name="members"/>[m][i] is member m's P(A) for item i.
    /// </summary>
    /// <param name="members">At least two members' labels, all of one length.</param>
    /// <exception cref="ArgumentException">Fewer than two members, or members of different lengths.</exception>
    public static JudgeAgreement Pairwise(IReadOnlyList<IReadOnlyList<double>> members)
    {
        if (members.Count < 2) throw new ArgumentException("Pairwise agreement needs at least two members.", nameof(members));
        var agreement = new JudgeAgreement();
        for (int i = 0; i < members.Count; i++)
            for (int j = i + 1; j < members.Count; j++)
                agreement += Between(members[i], members[j]);
        return agreement;
    }
}
