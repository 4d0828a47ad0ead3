using Cai.Plugins.Feedback.Judges;

namespace Cai.Plugins.Feedback.Judging;

/// <summary>
/// Agreement between judges on hard decisions (<see cref="Preferences.FromProbability"/>):
/// two labels agree when their decisions are equal, so a tie agrees only with a tie.
/// </summary>
public static class JudgeAgreement
{
    /// <summary>Fraction of the m·(m−1)/2 member pairs that agree on one item.</summary>
    public static double Pairwise(ReadOnlySpan<double> members)
    {
        if (members.Length < 2)
            throw new ArgumentException("Pairwise agreement needs at least two members.", nameof(members));
        int agreeing = 0;
        int pairs = 0;
        for (int i = 0; i < members.Length; i++)
        {
            for (int j = i + 1; j < members.Length; j++)
            {
                pairs++;
                if (Preferences.FromProbability(members[i]) == Preferences.FromProbability(members[j]))
                    agreeing++;
            }
        }
        return (double)agreeing / pairs;
    }

    /// <summary>Mean over items of <see cref="Pairwise(ReadOnlySpan{double})"/>; <paramref name="memberLabels"/>[m][i] is member m's P(A) for item i.</summary>
    public static double Pairwise(IReadOnlyList<double[]> memberLabels)
    {
        int items = EnsembleShape.ItemCount(memberLabels);
        if (items == 0)
            return double.NaN;
        var column = new double[memberLabels.Count];
        double sum = 0;
        for (int i = 0; i < items; i++)
        {
            for (int m = 0; m < column.Length; m++)
                column[m] = memberLabels[m][i];
            sum += Pairwise(column);
        }
        return sum / items;
    }

    /// <summary>Fraction of items on which two label sequences agree, e.g. a member and the ensemble, or a judge and the evaluator. NaN when empty.</summary>
    public static double Between(ReadOnlySpan<double> labels, ReadOnlySpan<double> reference)
    {
        if (labels.Length != reference.Length)
            throw new ArgumentException($"Got {labels.Length} labels but {reference.Length} reference labels.");
        if (labels.IsEmpty)
            return double.NaN;
        int agreeing = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (Preferences.FromProbability(labels[i]) == Preferences.FromProbability(reference[i]))
                agreeing++;
        }
        return (double)agreeing / labels.Length;
    }
}
