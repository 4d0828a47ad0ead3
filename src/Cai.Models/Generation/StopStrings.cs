namespace Cai.Models.Generation;

/// <summary>Finds the earliest stop string in generated text.</summary>
public static class StopStrings
{
    /// <summary>Index of the earliest occurrence of any stop string in <paramref name="text"/>, or -1.</summary>
    public static int Find(string text, IReadOnlyList<string> stops)
    {
        int best = -1;
        foreach (var stop in stops)
        {
            if (stop.Length == 0) continue;
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }
}
