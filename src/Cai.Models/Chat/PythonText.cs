using System.Globalization;
using System.Text;

namespace Cai.Models.Chat;

/// <summary>
/// Python's str semantics where they show in a rendered template: whitespace (str.isspace), strip, split, title,
/// capitalize, repr, and length/indexing/slicing by code point (a C# string counts UTF-16 units).
/// </summary>
internal static class PythonText
{
    /// <summary>str.isspace for one character: .NET's white space plus the separators U+001C..U+001F.</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static bool IsAllWhitespace(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return false;
        foreach (char c in text)
            if (!IsWhitespace(c)) return false;
        return true;
    }

    public static string Strip(string s, string? chars, bool left = true, bool right = true)
    {
        Func<char, bool> strip = chars is null ? IsWhitespace : chars.Contains;
        int start = 0, end = s.Length;
        if (left) while (start < end && strip(s[start])) start++;
        if (right) while (end > start && strip(s[end - 1])) end--;
        return s[start..end];
    }

    public static string TrimEnd(string s) => Strip(s, null, left: false);

    /// <summary>str.split / str.rsplit: on runs of whitespace when <paramref name="separator"/> is null.</summary>
    public static List<string> Split(string s, string? separator, long maxSplit, bool fromRight = false)
    {
        if (separator is "") throw new JinjaRuntimeError("ValueError: empty separator");
        if (maxSplit < 0) maxSplit = long.MaxValue;
        var parts = separator is null ? SplitWhitespace(s, maxSplit, fromRight) : SplitOn(s, separator, maxSplit, fromRight);
        return parts;
    }

    private static List<string> SplitOn(string s, string separator, long maxSplit, bool fromRight)
    {
        var parts = new List<string>();
        if (!fromRight)
        {
            int start = 0;
            for (int i; parts.Count < maxSplit && (i = s.IndexOf(separator, start, StringComparison.Ordinal)) >= 0; start = i + separator.Length)
                parts.Add(s[start..i]);
            parts.Add(s[start..]);
            return parts;
        }
        int end = s.Length;
        for (int i; parts.Count < maxSplit && end > 0 && (i = s.LastIndexOf(separator, end - 1, end, StringComparison.Ordinal)) >= 0 && i + separator.Length <= end; end = i)
            parts.Add(s[(i + separator.Length)..end]);
        parts.Add(s[..end]);
        parts.Reverse();
        return parts;
    }

    private static List<string> SplitWhitespace(string s, long maxSplit, bool fromRight)
    {
        var parts = new List<string>();
        if (!fromRight)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && IsWhitespace(s[i])) i++;
                if (i == s.Length) break;
                if (parts.Count == maxSplit) { parts.Add(s[i..]); break; }
                int start = i;
                while (i < s.Length && !IsWhitespace(s[i])) i++;
                parts.Add(s[start..i]);
            }
            return parts;
        }
        int j = s.Length;
        while (true)
        {
            while (j > 0 && IsWhitespace(s[j - 1])) j--;
            if (j == 0) break;
            if (parts.Count == maxSplit) { parts.Add(s[..j]); break; }
            int end = j;
            while (j > 0 && !IsWhitespace(s[j - 1])) j--;
            parts.Add(s[j..end]);
        }
        parts.Reverse();
        return parts;
    }

    /// <summary>str.splitlines() without keepends.</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
            lines.Add(s[start..i]);
            if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    // Python's full case mappings where they differ from .NET's one-to-one mappings (SpecialCasing.txt's
    // unconditional entries for Latin; Greek final sigma and the rest are left to .NET).
    private static readonly Dictionary<char, string> _specialUpper = new()
    {
        ['ß'] = "SS", ['ﬀ'] = "FF", ['ﬁ'] = "FI", ['ﬂ'] = "FL", ['ﬃ'] = "FFI", ['ﬄ'] = "FFL", ['ﬅ'] = "ST", ['ﬆ'] = "ST", ['ŉ'] = "ʼN",
    };

    private static readonly Dictionary<char, string> _specialTitle = new()
    {
        ['ß'] = "Ss", ['ﬀ'] = "Ff", ['ﬁ'] = "Fi", ['ﬂ'] = "Fl", ['ﬃ'] = "Ffi", ['ﬄ'] = "Ffl", ['ﬅ'] = "St", ['ﬆ'] = "St", ['ŉ'] = "ʼN",
        ['Ǆ'] = "ǅ", ['ǅ'] = "ǅ", ['ǆ'] = "ǅ", ['Ǉ'] = "ǈ", ['ǈ'] = "ǈ", ['ǉ'] = "ǈ", ['Ǌ'] = "ǋ", ['ǋ'] = "ǋ", ['ǌ'] = "ǋ", ['Ǳ'] = "ǲ", ['ǲ'] = "ǲ", ['ǳ'] = "ǲ",
    };

    private static string UpperChar(char c) => _specialUpper.TryGetValue(c, out var s) ? s : char.ToUpperInvariant(c).ToString();
    private static string TitleChar(char c) => _specialTitle.TryGetValue(c, out var s) ? s : char.ToUpperInvariant(c).ToString();
    private static string LowerChar(char c) => c == 'İ' ? "i\u0307" : char.ToLowerInvariant(c).ToString();

    /// <summary>str.upper().</summary>
    public static string Upper(string s) => s.Any(_specialUpper.ContainsKey) ? string.Concat(s.Select(UpperChar)) : s.ToUpperInvariant();

    /// <summary>str.lower().</summary>
    public static string Lower(string s) => s.Contains('İ') ? string.Concat(s.Select(LowerChar)) : s.ToLowerInvariant();


    private static bool IsCased(char c) => char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;

    /// <summary>str.title(): a cased character after an uncased one is upper-cased, the others lower-cased.</summary>
    public static string Title(string s)
    {
        var result = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            result.Append(previousCased ? LowerChar(c) : TitleChar(c));
            previousCased = IsCased(c);
        }
        return result.ToString();
    }

    /// <summary>str.capitalize(): the first character upper-cased, the rest lower-cased.</summary>
    public static string Capitalize(string s) => s.Length == 0 ? s : TitleChar(s[0]) + Lower(s[1..]);

    /// <summary>str.islower() / str.isupper(): some cased character, and all cased characters in that case.</summary>
    public static bool IsLower(string s) => s.Any(IsCased) && !s.Any(c => char.IsUpper(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter);
    public static bool IsUpper(string s) => s.Any(IsCased) && !s.Any(c => char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter);

    /// <summary>str.center(width): Python puts the odd space on the left when the width is odd.</summary>
    public static string Center(string s, long width)
    {
        long length = Length(s);
        if (width <= length) return s;
        long pad = width - length;
        long left = pad / 2 + (pad & width & 1);
        return new string(' ', (int)left) + s + new string(' ', (int)(pad - left));
    }

    /// <summary>repr(str): single quotes unless the text has a single quote and no double quote.</summary>
    public static string Repr(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var result = new StringBuilder(s.Length + 2).Append(quote);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == quote || c == '\\') { result.Append('\\').Append(c); continue; }
            switch (c)
            {
                case '\t': result.Append("\\t"); continue;
                case '\n': result.Append("\\n"); continue;
                case '\r': result.Append("\\r"); continue;
            }
            int code = char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? char.ConvertToUtf32(c, s[i + 1]) : c;
            if (IsPrintable(code)) result.Append(char.ConvertFromUtf32(code));
            else if (code < 0x100) result.Append($"\\x{code:x2}");
            else if (code < 0x10000) result.Append($"\\u{code:x4}");
            else result.Append($"\\U{code:x8}");
            if (code >= 0x10000) i++;
        }
        return result.Append(quote).ToString();
    }

    private static bool IsPrintable(int code)
    {
        if (code == ' ') return true;
        if (code is >= 0xD800 and <= 0xDFFF) return false;
        return CharUnicodeInfo.GetUnicodeCategory(code) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>Whether the text needs code-point indexing (it has a surrogate pair).</summary>
    private static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    private static string[] CodePoints(string s)
    {
        var points = new List<string>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            bool pair = char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);
            points.Add(pair ? s.Substring(i++, 2) : s[i].ToString());
        }
        return [.. points];
    }

    /// <summary>len(str): code points.</summary>
    public static int Length(string s) => HasSurrogates(s) ? CodePoints(s).Length : s.Length;

    /// <summary>The characters of a string as Python iterates them (one string per code point).</summary>
    public static IReadOnlyList<string> Characters(string s) => HasSurrogates(s) ? CodePoints(s) : s.Select(c => c.ToString()).ToArray();

    /// <summary>s[index] with Python's negative indices; null when out of range.</summary>
    public static string? At(string s, long index)
    {
        var chars = Characters(s);
        if (index < 0) index += chars.Count;
        return index >= 0 && index < chars.Count ? chars[(int)index] : null;
    }

    /// <summary>s[start:stop:step].</summary>
    public static string Slice(string s, long? start, long? stop, long? step)
    {
        var chars = Characters(s);
        var result = new StringBuilder();
        foreach (int i in SliceIndices(chars.Count, start, stop, step)) result.Append(chars[i]);
        return result.ToString();
    }

    /// <summary>The indices a Python slice selects from a sequence of <paramref name="length"/> items.</summary>
    public static IEnumerable<int> SliceIndices(int length, long? start, long? stop, long? step)
    {
        var (from, to, by) = SliceBounds(length, start, stop, step);
        for (long i = from; by > 0 ? i < to : i > to; i += by) yield return (int)i;
    }

    /// <summary>Python's slice(start, stop, step).indices(length): the bounds clamped to the sequence.</summary>
    public static (long Start, long Stop, long Step) SliceBounds(int length, long? start, long? stop, long? step)
    {
        long s = step ?? 1;
        if (s == 0) throw new JinjaRuntimeError("ValueError: slice step cannot be zero");
        long Clamp(long? index, long fallback, long low, long high)
        {
            if (index is not long i) return fallback;
            if (i < 0) i += length;
            return Math.Clamp(i, low, high);
        }
        return s > 0
            ? (Clamp(start, 0, 0, length), Clamp(stop, length, 0, length), s)
            : (Clamp(start, length - 1, -1, length - 1), Clamp(stop, -1, -1, length - 1), s);
    }
}
