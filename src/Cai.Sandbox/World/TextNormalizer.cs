using System.Text;

namespace Cai.Sandbox.World;

/// <summary>
/// Puts text in the form phrases are matched in: lower case, every run of non-alphanumeric characters a single
/// space, compound directions joined ("north-east" becomes "northeast"), padded with one space on each side.
/// </summary>
public static class TextNormalizer
{
    static readonly (string From, string To)[] _compounds =
        [(" north east ", " northeast "), (" north west ", " northwest "), (" south east ", " southeast "), (" south west ", " southwest ")];

    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append(' ');
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
            else if (sb[^1] != ' ') sb.Append(' ');
        }
        if (sb[^1] != ' ') sb.Append(' ');
        string normalized = sb.ToString();
        foreach (var (from, to) in _compounds)
            while (normalized.Contains(from, StringComparison.Ordinal)) normalized = normalized.Replace(from, to, StringComparison.Ordinal);
        return normalized;
    }

    /// <summary>Whether normalized text contains the phrase as whole words.</summary>
    public static bool ContainsPhrase(string normalizedText, string phrase) =>
        normalizedText.Contains(Normalize(phrase), StringComparison.Ordinal);
}
