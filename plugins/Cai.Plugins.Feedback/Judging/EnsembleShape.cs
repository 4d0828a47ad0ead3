namespace Cai.Plugins.Feedback.Judging;

/// <summary>Checks a members × items table of labels.</summary>
internal static class EnsembleShape
{
    public static int ItemCount(IReadOnlyList<double[]> memberLabels)
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
