using System.Globalization;
using System.Text;

namespace Cai.Models.Chat;

/// <summary>What a template token is.</summary>
internal enum TokenKind
{
    /// <summary>Template text outside tags (after whitespace control).</summary>
    Data,
    /// <summary><c>{{</c></summary>
    VariableBegin,
    /// <summary><c>}}</c></summary>
    VariableEnd,
    /// <summary><c>{%</c></summary>
    BlockBegin,
    /// <summary><c>%}</c></summary>
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    /// <summary>An operator or punctuation: + - * / // % ** ~ = == != &lt; &lt;= &gt; &gt;= ( ) [ ] { } . , : | ;</summary>
    Operator,
    Eof,
}

/// <summary>One token; <see cref="Position"/> is its offset in the newline-normalized source.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, object? Value, int Position)
{
    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;
    public bool IsOperator(string op) => Kind == TokenKind.Operator && Text == op;

    public string Describe() => Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.Data => "template data",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits a template into tokens the way jinja2's lexer does with Hugging Face's settings (trim_blocks and
/// lstrip_blocks on, keep_trailing_newline off): newlines are normalized to "\n", one trailing newline is dropped,
/// "-" and "+" after or before tag delimiters control surrounding whitespace, comments vanish, raw blocks become data.
/// </summary>
internal sealed class JinjaLexer
{
    private static readonly string[] _operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];

    private readonly string _source;
    private readonly SourceText _text;
    private readonly List<Token> _tokens = [];
    private int _pos;
    // Whether the last match ended with a newline: lstrip_blocks then strips indentation before a tag even when the
    // data before it has no newline of its own (jinja2's line_starting).
    private bool _lineStarting = true;

    private JinjaLexer(SourceText text)
    {
        _text = text;
        _source = text.Source;
    }

    /// <summary>Jinja normalizes newlines before lexing; positions in tokens refer to this normalized source.</summary>
    public static string NormalizeSource(string source)
    {
        string normalized = source.Replace("\r\n", "\n").Replace('\r', '\n');
        return normalized.EndsWith('\n') ? normalized[..^1] : normalized;
    }

    public static List<Token> Tokenize(SourceText text)
    {
        var lexer = new JinjaLexer(text);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_pos < _source.Length)
        {
            var tag = FindTagStart(_pos);
            if (tag is null)
            {
                Emit(TokenKind.Data, _source[_pos..], _pos);
                return;
            }
            var (start, kind, sign, rawEnd) = tag.Value;
            EmitDataBeforeTag(_pos, start, kind, sign);
            if (kind == TagKind.Raw)
            {
                _pos = rawEnd;
                _lineStarting = _source[rawEnd - 1] == '\n';
                LexRaw();
                continue;
            }
            _pos = start + 2 + sign.Length;
            _lineStarting = false;
            switch (kind)
            {
                case TagKind.Comment: SkipComment(start); break;
                case TagKind.Block: Emit(TokenKind.BlockBegin, "{%", start); LexTag(TokenKind.BlockEnd); break;
                default: Emit(TokenKind.VariableBegin, "{{", start); LexTag(TokenKind.VariableEnd); break;
            }
        }
    }

    private enum TagKind { Comment, Block, Variable, Raw }

    /// <summary>The first "{{", "{%" or "{#" at or after <paramref name="from"/>, with its whitespace-control sign.</summary>
    private (int Start, TagKind Kind, string Sign, int RawEnd)? FindTagStart(int from)
    {
        for (int i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            char next = _source[i + 1];
            if (next is not ('{' or '%' or '#')) continue;
            string sign = i + 2 < _source.Length && _source[i + 2] is '-' or '+' ? _source[i + 2].ToString() : "";
            if (next == '%' && MatchRawBegin(i + 2 + sign.Length) is int rawEnd) return (i, TagKind.Raw, sign, rawEnd);
            return (i, next switch { '{' => TagKind.Variable, '%' => TagKind.Block, _ => TagKind.Comment }, sign, 0);
        }
        return null;
    }

    /// <summary>Matches <c>\s*raw\s*(-%}\s*|%})</c> at <paramref name="at"/>; returns the end of the match.</summary>
    private int? MatchRawBegin(int at)
    {
        int i = SkipWhitespace(at);
        if (string.CompareOrdinal(_source, i, "raw", 0, 3) != 0) return null;
        i = SkipWhitespace(i + 3);
        if (string.CompareOrdinal(_source, i, "-%}", 0, 3) == 0) return SkipWhitespace(i + 3);
        if (string.CompareOrdinal(_source, i, "%}", 0, 2) == 0) return i + 2;
        return null;
    }

    /// <summary>The data before a tag, after "-" (strip all trailing whitespace) or lstrip_blocks (strip the indentation
    /// of a block or comment tag that starts its line; "+" keeps it).</summary>
    private void EmitDataBeforeTag(int from, int tagStart, TagKind kind, string sign)
    {
        string text = _source[from..tagStart];
        if (sign == "-")
            text = PythonText.TrimEnd(text);
        else if (sign != "+" && kind != TagKind.Variable)
        {
            int lineStart = text.LastIndexOf('\n') + 1;
            if ((lineStart > 0 || _lineStarting) && lineStart < text.Length && PythonText.IsAllWhitespace(text.AsSpan(lineStart)))
                text = text[..lineStart];
        }
        if (text.Length > 0) Emit(TokenKind.Data, text, from);
    }

    /// <summary>Everything up to <c>{% endraw %}</c> is data; the end tag's sign strips like any tag's.</summary>
    private void LexRaw()
    {
        for (int i = _source.IndexOf("{%", _pos, StringComparison.Ordinal); i >= 0; i = _source.IndexOf("{%", i + 1, StringComparison.Ordinal))
        {
            string sign = i + 2 < _source.Length && _source[i + 2] is '-' or '+' ? _source[i + 2].ToString() : "";
            int j = SkipWhitespace(i + 2 + sign.Length);
            if (string.CompareOrdinal(_source, j, "endraw", 0, 6) != 0) continue;
            j = SkipWhitespace(j + 6);
            if (MatchTagEnd(j, "%}", trimNewline: true) is not int end) continue;
            EmitDataBeforeTag(_pos, i, TagKind.Raw, sign);
            _lineStarting = _source[end - 1] == '\n';
            _pos = end;
            return;
        }
        throw _text.Error(_pos, "missing end of raw directive");
    }

    private void SkipComment(int start)
    {
        int i = _source.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (i < 0) throw _text.Error(start, "missing end of comment tag");
        int signAt = i - 1 >= _pos && _source[i - 1] is '-' or '+' ? i - 1 : i;
        int end = MatchTagEnd(signAt, "#}", trimNewline: true)!.Value;
        _lineStarting = _source[end - 1] == '\n';
        _pos = end;
    }

    /// <summary>Matches <c>+END</c>, <c>-END\s*</c> or <c>END</c> (then one "\n" when trimming) at <paramref name="at"/>.</summary>
    private int? MatchTagEnd(int at, string end, bool trimNewline)
    {
        if (at < _source.Length && _source[at] == '+' && string.CompareOrdinal(_source, at + 1, end, 0, 2) == 0) return at + 3;
        if (at < _source.Length && _source[at] == '-' && string.CompareOrdinal(_source, at + 1, end, 0, 2) == 0) return SkipWhitespace(at + 3);
        if (string.CompareOrdinal(_source, at, end, 0, 2) != 0) return null;
        return trimNewline && at + 2 < _source.Length && _source[at + 2] == '\n' ? at + 3 : at + 2;
    }

    /// <summary>Tokens inside <c>{% %}</c> or <c>{{ }}</c>. The end delimiter counts only outside brackets, so that
    /// <c>{{ {'a': {'b': 1}} }}</c> works.</summary>
    private void LexTag(TokenKind endKind)
    {
        var brackets = new Stack<char>();
        int tagStart = _pos - 2;
        while (true)
        {
            if (_pos >= _source.Length)
                throw _text.Error(tagStart, endKind == TokenKind.BlockEnd ? "unexpected end of template: a '{%' tag is not closed" : "unexpected end of template: a '{{' tag is not closed");
            if (brackets.Count == 0 && MatchTagEnd(_pos, endKind == TokenKind.BlockEnd ? "%}" : "}}", trimNewline: endKind == TokenKind.BlockEnd) is int end)
            {
                Emit(endKind, endKind == TokenKind.BlockEnd ? "%}" : "}}", _pos);
                _lineStarting = _source[end - 1] == '\n';
                _pos = end;
                return;
            }
            char c = _source[_pos];
            if (PythonText.IsWhitespace(c)) { _pos++; continue; }
            if (char.IsAsciiDigit(c)) { LexNumber(); continue; }
            if (c == '_' || char.IsLetter(c)) { LexName(); continue; }
            if (c is '\'' or '"') { LexString(); continue; }
            string? op = _operators.FirstOrDefault(o => string.CompareOrdinal(_source, _pos, o, 0, o.Length) == 0);
            if (op is null) throw _text.Error(_pos, $"unexpected character '{c}'");
            if (op is "(" or "[" or "{") brackets.Push(op == "(" ? ')' : op == "[" ? ']' : '}');
            else if (op is ")" or "]" or "}")
            {
                if (brackets.Count == 0) throw _text.Error(_pos, $"unexpected '{op}'");
                char expected = brackets.Pop();
                if (expected != op[0]) throw _text.Error(_pos, $"unexpected '{op}', expected '{expected}'");
            }
            Emit(TokenKind.Operator, op, _pos);
            _pos += op.Length;
        }
    }

    private void LexName()
    {
        int start = _pos;
        while (_pos < _source.Length && (_source[_pos] == '_' || char.IsLetterOrDigit(_source[_pos]))) _pos++;
        Emit(TokenKind.Name, _source[start.._pos], start);
    }

    /// <summary>Decimal integers and floats (with "_" separators and exponents), and 0x/0o/0b integers.</summary>
    private void LexNumber()
    {
        int start = _pos;
        if (_source[_pos] == '0' && _pos + 1 < _source.Length && char.ToLowerInvariant(_source[_pos + 1]) is 'x' or 'o' or 'b')
        {
            int radix = char.ToLowerInvariant(_source[_pos + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            _pos += 2;
            int digitsStart = _pos;
            long value = 0;
            bool valid = true;
            for (; _pos < _source.Length && (_source[_pos] == '_' || char.IsAsciiHexDigit(_source[_pos])); _pos++)
            {
                if (_source[_pos] == '_') continue;
                int digit = Convert.ToInt32(_source[_pos].ToString(), 16);
                valid &= digit < radix && value <= (long.MaxValue - digit) / radix;
                if (valid) value = value * radix + digit;
            }
            if (!valid || _pos == digitsStart) throw _text.Error(start, $"invalid integer literal '{_source[start.._pos]}'");
            Emit(TokenKind.Integer, _source[start.._pos], value, start);
            return;
        }
        SkipDigits();
        bool isFloat = false;
        // As jinja2's float pattern (?<!\.): after a dot, "x.0.1" is items 0 and 1, not the float 0.1.
        bool afterDot = start > 0 && _source[start - 1] == '.';
        if (!afterDot && _pos + 1 < _source.Length && _source[_pos] == '.' && char.IsAsciiDigit(_source[_pos + 1]))
        {
            isFloat = true;
            _pos++;
            SkipDigits();
        }
        if (!afterDot && _pos < _source.Length && _source[_pos] is 'e' or 'E')
        {
            int e = _pos + 1;
            if (e < _source.Length && _source[e] is '+' or '-') e++;
            if (e < _source.Length && char.IsAsciiDigit(_source[e]))
            {
                isFloat = true;
                _pos = e;
                SkipDigits();
            }
        }
        string text = _source[start.._pos];
        string plain = text.Replace("_", "");
        if (isFloat)
            Emit(TokenKind.Float, text, double.Parse(plain, NumberStyles.Float, CultureInfo.InvariantCulture), start);
        else if (long.TryParse(plain, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            Emit(TokenKind.Integer, text, value, start);
        else
            throw _text.Error(start, $"integer literal '{text}' is beyond 64 bits, which this interpreter does not support");
    }

    private void SkipDigits()
    {
        while (_pos < _source.Length && char.IsAsciiDigit(_source[_pos]))
        {
            _pos++;
            if (_pos + 1 < _source.Length && _source[_pos] == '_' && char.IsAsciiDigit(_source[_pos + 1])) _pos++;
        }
    }

    /// <summary>A quoted string, unescaped like Python's "unicode-escape" codec (what jinja2 applies).</summary>
    private void LexString()
    {
        int start = _pos;
        char quote = _source[_pos++];
        var value = new StringBuilder();
        while (true)
        {
            if (_pos >= _source.Length) throw _text.Error(start, "unterminated string literal");
            char c = _source[_pos++];
            if (c == quote) break;
            if (c != '\\') { value.Append(c); continue; }
            if (_pos >= _source.Length) throw _text.Error(start, "unterminated string literal");
            Unescape(value, start);
        }
        Emit(TokenKind.String, _source[start.._pos], value.ToString(), start);
    }

    private void Unescape(StringBuilder value, int literalStart)
    {
        char e = _source[_pos++];
        switch (e)
        {
            case '\n': return;
            case '\\': case '\'': case '"': value.Append(e); return;
            case 'a': value.Append('\a'); return;
            case 'b': value.Append('\b'); return;
            case 'f': value.Append('\f'); return;
            case 'n': value.Append('\n'); return;
            case 'r': value.Append('\r'); return;
            case 't': value.Append('\t'); return;
            case 'v': value.Append('\v'); return;
            case 'x': value.Append(HexEscape(2, literalStart)); return;
            case 'u': value.Append(HexEscape(4, literalStart)); return;
            case 'U': value.Append(HexEscape(8, literalStart)); return;
            case 'N': throw _text.Error(_pos - 2, "\\N{...} escapes are not supported");
        }
        if (e is >= '0' and <= '7')
        {
            int code = e - '0';
            for (int n = 1; n < 3 && _pos < _source.Length && _source[_pos] is >= '0' and <= '7'; n++) code = code * 8 + (_source[_pos++] - '0');
            value.Append((char)code);
            return;
        }
        // Python keeps unknown escapes; jinja2 first turns non-ASCII characters into escapes, so "\é" keeps "\xe9".
        value.Append('\\');
        value.Append(e < 128 ? e.ToString() : e < 256 ? $"x{(int)e:x2}" : $"u{(int)e:x4}");
    }

    private string HexEscape(int digits, int literalStart)
    {
        if (_pos + digits > _source.Length || _source.AsSpan(_pos, digits).ContainsAnyExcept("0123456789abcdefABCDEF"))
            throw _text.Error(literalStart, $"truncated \\{(digits == 2 ? "x" : digits == 4 ? "u" : "U")} escape in string literal");
        int code = int.Parse(_source.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        _pos += digits;
        if (code > 0x10FFFF) throw _text.Error(literalStart, "illegal Unicode character in string literal");
        return code < 0x10000 ? ((char)code).ToString() : char.ConvertFromUtf32(code);
    }

    private int SkipWhitespace(int i)
    {
        while (i < _source.Length && PythonText.IsWhitespace(_source[i])) i++;
        return i;
    }

    private void Emit(TokenKind kind, string text, int position) => Emit(kind, text, text, position);

    private void Emit(TokenKind kind, string text, object? value, int position) => _tokens.Add(new Token(kind, text, value, position));
}

/// <summary>A template's normalized source and name, for messages of the form "name:line:column: message".</summary>
internal sealed class SourceText(string name, string source)
{
    public string Name { get; } = name;
    public string Source { get; } = source;

    public (int Line, int Column) Locate(int position)
    {
        position = Math.Clamp(position, 0, Source.Length);
        int line = 1, lineStart = 0;
        for (int i = 0; i < position; i++)
            if (Source[i] == '\n') { line++; lineStart = i + 1; }
        return (line, position - lineStart + 1);
    }

    public JinjaTemplateException Error(int position, string message, JinjaErrorKind kind = JinjaErrorKind.Syntax)
    {
        var (line, column) = Locate(position);
        return new JinjaTemplateException(Name, line, column, message, kind);
    }
}
