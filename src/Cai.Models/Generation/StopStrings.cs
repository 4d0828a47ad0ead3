using System.Text;
using Cai.Models.Tokenization;

namespace Cai.Models.Generation;

/// <summary>Finds the earliest stop string in generated text.</summary>
public static class StopStrings
{
    /// <summary>Index of the earliest occurrence of any stop string in <paramref name="text"/>, or -1.</summary>
    public static int Find(string text, IReadOnlyList<string> stops) => Find(text, 0, stops);

    /// <summary>Index of the earliest occurrence of any stop string in <paramref name="text"/> at or after <paramref name="start"/>, or -1.</summary>
    public static int Find(string text, int start, IReadOnlyList<string> stops)
    {
        int best = -1;
        foreach (var stop in stops)
        {
            if (stop.Length == 0) continue;
            int at = text.IndexOf(stop, start, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }
}

/// <summary>
/// Watches a growing sequence of generated tokens for stop strings at a constant cost per token: it decodes only the
/// tokens added since the last call (with the previous ones, so a character split across tokens comes out whole, as
/// Hugging Face's text streamers do) and searches only the new text plus the characters before it that a stop string
/// could start in. Without stop strings it only decodes (a streaming detokenizer).
/// </summary>
public sealed class StopStringScanner
{
    private readonly TextTokenizer _tokenizer;
    private readonly IReadOnlyList<string> _stops;
    private readonly int _overlap;
    private readonly StringBuilder _text = new();
    private int _prefixOffset, _readOffset;

    /// <summary>A scanner for <paramref name="stops"/> (none: it only decodes).</summary>
    public StopStringScanner(TextTokenizer tokenizer, IReadOnlyList<string> stops)
    {
        _tokenizer = tokenizer;
        _stops = stops;
        _overlap = Math.Max(0, stops.Select(s => s.Length).DefaultIfEmpty(0).Max() - 1);
    }

    /// <summary>The text decoded so far (whole characters only).</summary>
    public string Text => _text.ToString();

    /// <summary>Characters of <see cref="Text"/>.</summary>
    public int Length => _text.Length;

    /// <summary>
    /// Characters at the end of <see cref="Text"/> that may be the start of a stop string not yet complete (the
    /// longest stop string's length less one).
    /// </summary>
    public int Overlap => _overlap;

    /// <summary><see cref="Text"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public string Slice(int start, int end) => _text.ToString(start, end - start);

    /// <summary>
    /// Takes the tokens of <paramref name="tokens"/> not seen before and returns the index in <see cref="Text"/> of the
    /// earliest stop string, or -1 (also while the new tokens end inside a character).
    /// </summary>
    public int Scan(IReadOnlyList<int> tokens)
    {
        if (tokens.Count <= _readOffset) return -1;
        string before = Decode(tokens, _prefixOffset, _readOffset);
        string now = Decode(tokens, _prefixOffset, tokens.Count);
        if (now.Length <= before.Length || now[^1] == '\uFFFD') return -1;
        int searchFrom = Math.Max(0, _text.Length - _overlap);
        _text.Append(now, before.Length, now.Length - before.Length);
        _prefixOffset = _readOffset;
        _readOffset = tokens.Count;
        int at = StopStrings.Find(_text.ToString(searchFrom, _text.Length - searchFrom), _stops);
        return at < 0 ? -1 : searchFrom + at;
    }

    private string Decode(IReadOnlyList<int> tokens, int from, int to)
    {
        if (to <= from) return "";
        var ids = new int[to - from];
        for (int i = from; i < to; i++) ids[i - from] = tokens[i];
        return _tokenizer.Decode(ids);
    }
}
