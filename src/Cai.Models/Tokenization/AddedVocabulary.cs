namespace Cai.Models.Tokenization;

/// <summary>
/// Splits added tokens out of a text before the model sees it, as Hugging Face's AddedVocabulary does: tokens with
/// normalized false are found in the raw text, the rest is normalized, then tokens with normalized true are found in
/// the normalized pieces (matching their normalized content). Matches are leftmost-longest; lstrip and rstrip make the
/// whitespace beside a token part of it.
/// </summary>
internal sealed class AddedVocabulary
{
    /// <summary>A piece of the text: an added token's id, or text for the model (normalized).</summary>
    /// <param name="Text">The piece's text (normalized when <paramref name="Id"/> is null).</param>
    /// <param name="Id">The added token's id, or null for model text.</param>
    /// <param name="AtStart">Whether the piece begins at the start of the original text (Metaspace's prepend_scheme "first").</param>
    public readonly record struct Segment(string Text, int? Id, bool AtStart);

    private readonly Matcher _raw;
    private readonly Matcher _normalized;
    private readonly Func<string, string> _normalize;

    /// <summary>
    /// A vocabulary of <paramref name="tokens"/>; <paramref name="normalize"/> is the tokenizer's normalizer (identity
    /// when null, and then every token is matched in the raw text).
    /// </summary>
    public AddedVocabulary(IEnumerable<AddedToken> tokens, Func<string, string>? normalize = null)
    {
        _normalize = normalize ?? (s => s);
        var list = tokens.ToList();
        _raw = new Matcher(list.Where(t => !t.Normalized || normalize is null).Select(t => (t.Content, t)));
        _normalized = new Matcher(list.Where(t => t.Normalized && normalize is not null).Select(t => (_normalize(t.Content), t)));
    }

    /// <summary>The pieces of <paramref name="text"/> in order; empty text pieces are left out.</summary>
    public IEnumerable<Segment> Split(string text)
    {
        foreach (var (start, end, id) in _raw.Split(text))
        {
            if (id is not null)
            {
                yield return new Segment(text[start..end], id, start == 0);
                continue;
            }
            string normalized = _normalize(text[start..end]);
            foreach (var (s, e, normalizedId) in _normalized.Split(normalized))
                if (e > s) yield return new Segment(normalized[s..e], normalizedId, start == 0 && s == 0);
        }
    }

    /// <summary>Leftmost-longest matching of token patterns, indexed by first character.</summary>
    private sealed class Matcher
    {
        private readonly Dictionary<char, List<(string Pattern, AddedToken Token)>> _byFirst = [];

        public Matcher(IEnumerable<(string Pattern, AddedToken Token)> patterns)
        {
            foreach (var (pattern, token) in patterns)
            {
                if (pattern.Length == 0) continue;
                if (!_byFirst.TryGetValue(pattern[0], out var list)) _byFirst[pattern[0]] = list = [];
                list.Add((pattern, token));
            }
            foreach (var list in _byFirst.Values) list.Sort((a, b) => b.Pattern.Length.CompareTo(a.Pattern.Length));
        }

        /// <summary>(start, end, id) ranges covering the text: tokens have an id, the text between has none.</summary>
        public IEnumerable<(int Start, int End, int? Id)> Split(string text)
        {
            int done = 0;
            for (int i = 0; i < text.Length;)
            {
                var match = _byFirst.Count == 0 || !_byFirst.TryGetValue(text[i], out var candidates)
                    ? default
                    : candidates.FirstOrDefault(c => string.CompareOrdinal(text, i, c.Pattern, 0, c.Pattern.Length) == 0);
                if (match.Token is null)
                {
                    i++;
                    continue;
                }
                int start = i, end = i + match.Pattern.Length;
                if (match.Token.LStrip)
                    while (start > done && char.IsWhiteSpace(text[start - 1])) start--;
                if (match.Token.RStrip)
                    while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
                if (start > done) yield return (done, start, null);
                yield return (start, end, match.Token.Id);
                done = i = end;
            }
            if (done < text.Length) yield return (done, text.Length, null);
        }
    }
}
