using Cai.Abstractions.Feedback;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>How an ensemble turns its members' P(A) into one label.</summary>
public enum EnsembleCombination
{
    /// <summary>The mean of the members' probabilities: a soft label.</summary>
    Mean,

    /// <summary>A hard label: 1 when more members prefer A than B, 0 when more prefer B, 0.5 otherwise.
    /// A member at 0.5 (a tie of <see cref="Preference.Decide"/>) abstains.</summary>
    MajorityVote,
}

/// <summary>Combines the soft labels of ensemble members (judges, principles or feedback models).</summary>
public static class EnsembleLabel
{
    /// <summary>One item's label from its members' P(A).</summary>
    public static double Combine(ReadOnlySpan<double> members, EnsembleCombination combination)
    {
        if (members.IsEmpty)
            throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        return combination switch
        {
            EnsembleCombination.Mean => Mean(members),
            EnsembleCombination.MajorityVote => MajorityVote(members),
            _ => throw new ArgumentOutOfRangeException(nameof(combination), combination, null),
        };
    }

    /// <summary>Labels of a batch; <paramref name="memberLabels"/>[m][i] is member m's P(A) for item i.</summary>
    public static double[] Combine(IReadOnlyList<double[]> memberLabels, EnsembleCombination combination)
    {
        int items = ItemCount(memberLabels);
        var column = new double[memberLabels.Count];
        var result = new double[items];
        for (int i = 0; i < items; i++)
        {
            for (int m = 0; m < column.Length; m++)
                column[m] = memberLabels[m][i];
            result[i] = Combine(column, combination);
        }
        return result;
    }

    private static double Mean(ReadOnlySpan<double> members)
    {
        double sum = 0;
        foreach (double p in members)
            sum += p;
        return sum / members.Length;
    }

    private static double MajorityVote(ReadOnlySpan<double> members)
    {
        int margin = 0;
        foreach (double p in members)
            margin += (int)Preference.Decide(p);
        return margin > 0 ? 1.0 : margin < 0 ? 0.0 : 0.5;
    }

    /// <summary>Checks a members × items table of labels.</summary>
    private static int ItemCount(IReadOnlyList<double[]> memberLabels)
    {
        if (memberLabels.Count == 0)
            throw new ArgumentException("An ensemble needs at least one member.", nameof(memberLabels));
        int items = memberLabels[0].Length;
        for (int m = 1; m < memberLabels.Count; m++)
        {
            if (memberLabels[m].Length != items)
                throw new ArgumentException($"Member {m} labelled {memberLabels[m].Length} items, member 0 labelled {items}.");
        }
        return items;
    }
}
