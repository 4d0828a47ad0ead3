using System.Globalization;
using System.Text;

namespace Cai.Models.Chat;

/// <summary>
/// The Python methods templates call on values: str (strip, split, startswith, replace, format, ...), dict (get,
/// items, keys, values), list (count, index) and the loop (cycle, changed); also Python's printf-style
/// <c>%</c> formatting and strftime for the <c>strftime_now</c> global.
/// </summary>
internal static class JinjaMethods
{
    private static readonly HashSet<string> _stringMethods =
    [
        "startswith", "endswith", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "upper", "lower", "title",
        "capitalize", "replace", "find", "rfind", "index", "rindex", "count", "join", "format", "center",
        "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
    ];

    private static readonly HashSet<string> _dictMethods = ["get", "items", "keys", "values"];

    /// <summary>Every attribute of a Python dict: <c>d.keys</c> is the method even when the dict has a "keys" key.</summary>
    private static readonly HashSet<string> _dictAttributes = ["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"];

    private static readonly HashSet<string> _listMethods = ["count", "index"];

    /// <summary>The method names a template may call (checked when the template is parsed).</summary>
    public static readonly HashSet<string> Names = [.. _stringMethods, .. _dictMethods, .. _listMethods, "cycle", "changed"];

    /// <summary>Whether <c>target.name</c> is a method of the value rather than an item.</summary>
    public static bool IsAttribute(object? target, string name) => target switch
    {
        string => _stringMethods.Contains(name),
        JinjaDict => _dictAttributes.Contains(name),
        JinjaSequence { Kind: SequenceKind.List or SequenceKind.Tuple } => _listMethods.Contains(name),
        _ => false,
    };

    public static object? Call(object? self, string name, Arguments a) => self switch
    {
        string s => CallString(s, name, a),
        JinjaDict d => CallDict(d, name, a),
        JinjaSequence seq => name == "count"
            ? (long)seq.Items.Count(x => PythonValue.Equal(x, a.Bind("count", 1, "value")[0]))
            : IndexOf(seq, a.Bind("index", 1, "value")[0]),
        LoopContext loop when name == "cycle" => loop.Cycle(a.Positional),
        LoopContext loop => loop.Changed(a.Positional.Count == 1 ? a.Positional[0] : new JinjaSequence(a.Positional, SequenceKind.Tuple)),
        _ => throw new JinjaRuntimeError($"'{PythonValue.TypeName(self)}' object has no method '{name}'"),
    };

    private static long IndexOf(JinjaSequence seq, object? value)
    {
        for (int i = 0; i < seq.Count; i++)
            if (PythonValue.Equal(seq[i], value)) return i;
        throw new JinjaRuntimeError($"ValueError: {PythonValue.Repr(value)} is not in list");
    }

    private static object? CallDict(JinjaDict d, string name, Arguments a)
    {
        switch (name)
        {
            case "get":
                var args = a.Bind("get", 1, "key", "default");
                return d.TryGetValue(args[0], out var value) ? value : args[1] == Arguments.Missing ? null : args[1];
            case "items":
                a.Bind("items", 0);
                return new JinjaSequence(d.Entries.Select(e => (object?)JinjaSequence.Tuple(e.Key, e.Value)).ToList(), SequenceKind.DictItems);
            case "keys":
                a.Bind("keys", 0);
                return new JinjaSequence(d.Keys.ToList(), SequenceKind.DictKeys);
            case "values":
                a.Bind("values", 0);
                return new JinjaSequence(d.Values.ToList(), SequenceKind.DictValues);
        }
        throw new JinjaRuntimeError($"access to attribute '{name}' of 'dict' object is unsafe");
    }

    private static string RequireString(object? value, string callee, string parameter) =>
        value as string ?? throw new JinjaRuntimeError($"TypeError: {callee}() argument '{parameter}' must be str, not {PythonValue.TypeName(value)}");

    private static string? OptionalString(object? value, string callee, string parameter) =>
        value == Arguments.Missing || value is null ? null : RequireString(value, callee, parameter);

    private static long OptionalLong(object? value, long fallback) =>
        value == Arguments.Missing || value is null ? fallback : PythonValue.AsLong(value) ?? throw new JinjaRuntimeError($"TypeError: an integer is required, not {PythonValue.TypeName(value)}");

    private static object? CallString(string s, string name, Arguments a)
    {
        switch (name)
        {
            case "startswith" or "endswith":
            {
                var args = a.Bind(name, 1, "prefix", "start", "end");
                string part = PythonText.Slice(s, args[1] == Arguments.Missing ? null : PythonValue.AsLong(args[1]), args[2] == Arguments.Missing ? null : PythonValue.AsLong(args[2]), null);
                var candidates = args[0] is JinjaSequence { Kind: SequenceKind.Tuple } t ? t.Items : [args[0]];
                return candidates.Any(c => name == "startswith"
                    ? part.StartsWith(RequireString(c, name, "prefix"), StringComparison.Ordinal)
                    : part.EndsWith(RequireString(c, name, "suffix"), StringComparison.Ordinal));
            }
            case "strip" or "lstrip" or "rstrip":
            {
                string? chars = OptionalString(a.Bind(name, 0, "chars")[0], name, "chars");
                return PythonText.Strip(s, chars, left: name != "rstrip", right: name != "lstrip");
            }
            case "split" or "rsplit":
            {
                var args = a.Bind(name, 0, "sep", "maxsplit");
                var parts = PythonText.Split(s, OptionalString(args[0], name, "sep"), OptionalLong(args[1], -1), fromRight: name == "rsplit");
                return new JinjaSequence(parts.Cast<object?>().ToList());
            }
            case "splitlines":
                a.Bind(name, 0);
                return new JinjaSequence(PythonText.SplitLines(s).Cast<object?>().ToList());
            case "upper": a.Bind(name, 0); return PythonText.Upper(s);
            case "lower": a.Bind(name, 0); return PythonText.Lower(s);
            case "title": a.Bind(name, 0); return PythonText.Title(s);
            case "capitalize": a.Bind(name, 0); return PythonText.Capitalize(s);
            case "center":
                return PythonText.Center(s, OptionalLong(a.Bind(name, 1, "width")[0], 0));
            case "replace":
            {
                var args = a.Bind(name, 2, "old", "new", "count");
                return Replace(s, RequireString(args[0], name, "old"), RequireString(args[1], name, "new"), OptionalLong(args[2], -1));
            }
            case "find" or "rfind" or "index" or "rindex":
            {
                var args = a.Bind(name, 1, "sub", "start", "end");
                string sub = RequireString(args[0], name, "sub");
                // s[start:end], searched by code point so that the index is Python's.
                var chars = PythonText.Characters(s);
                int Clamp(object? bound, int fallback)
                {
                    long? i = OptionalNullableLong(bound);
                    if (i is null) return fallback;
                    return (int)Math.Clamp(i < 0 ? i.Value + chars.Count : i.Value, 0, chars.Count);
                }
                if (OptionalNullableLong(args[1]) > chars.Count) return name.EndsWith("find") ? -1L : throw new JinjaRuntimeError("ValueError: substring not found");
                int from = Clamp(args[1], 0), to = Math.Max(from, Clamp(args[2], chars.Count));
                string window = string.Concat(chars.Skip(from).Take(to - from));
                int found = name.StartsWith('r') ? window.LastIndexOf(sub, StringComparison.Ordinal) : window.IndexOf(sub, StringComparison.Ordinal);
                if (found < 0)
                    return name.EndsWith("find") ? -1L : throw new JinjaRuntimeError("ValueError: substring not found");
                return (long)(from + PythonText.Length(window[..found]));
            }
            case "count":
            {
                string sub = RequireString(a.Bind(name, 1, "sub")[0], name, "sub");
                if (sub.Length == 0) return (long)PythonText.Length(s) + 1;
                long n = 0;
                for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
                return n;
            }
            case "join":
            {
                var items = PythonValue.Iterate(a.Bind(name, 1, "iterable")[0]);
                for (int i = 0; i < items.Count; i++)
                    if (items[i] is not string)
                        throw new JinjaRuntimeError($"TypeError: sequence item {i}: expected str instance, {PythonValue.TypeName(items[i])} found");
                return string.Join(s, items.Cast<string>());
            }
            case "format":
                return Format(s, a);
            case "isdigit": a.Bind(name, 0); return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha": a.Bind(name, 0); return s.Length > 0 && s.All(char.IsLetter);
            case "isalnum": a.Bind(name, 0); return s.Length > 0 && s.All(char.IsLetterOrDigit);
            case "isspace": a.Bind(name, 0); return PythonText.IsAllWhitespace(s);
            case "islower": a.Bind(name, 0); return PythonText.IsLower(s);
            case "isupper": a.Bind(name, 0); return PythonText.IsUpper(s);
        }
        throw new JinjaRuntimeError($"'str' object has no method '{name}'");
    }

    private static long? OptionalNullableLong(object? value) =>
        value == Arguments.Missing || value is null ? null : PythonValue.AsLong(value) ?? throw new JinjaRuntimeError("TypeError: slice indices must be integers or None");

    /// <summary>str.replace: an empty <paramref name="old"/> inserts <paramref name="replacement"/> around every character.</summary>
    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0) count = long.MaxValue;
        var result = new StringBuilder();
        if (old.Length == 0)
        {
            var chars = PythonText.Characters(s);
            long n = 0;
            for (int i = 0; i <= chars.Count; i++)
            {
                if (n++ < count) result.Append(replacement);
                if (i < chars.Count) result.Append(chars[i]);
            }
            return result.ToString();
        }
        int start = 0;
        for (long n = 0; n < count; n++)
        {
            int i = s.IndexOf(old, start, StringComparison.Ordinal);
            if (i < 0) break;
            result.Append(s, start, i - start).Append(replacement);
            start = i + old.Length;
        }
        return result.Append(s, start, s.Length - start).ToString();
    }

    /// <summary>str.format with <c>{}</c>, <c>{0}</c>, <c>{name}</c> and the <c>!r</c>/<c>!s</c> conversions (no format specs).</summary>
    private static string Format(string s, Arguments a)
    {
        var result = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '}')
            {
                if (i + 1 < s.Length && s[i + 1] == '}') { result.Append('}'); i++; continue; }
                throw new JinjaRuntimeError("ValueError: Single '}' encountered in format string");
            }
            if (c != '{') { result.Append(c); continue; }
            if (i + 1 < s.Length && s[i + 1] == '{') { result.Append('{'); i++; continue; }
            int close = s.IndexOf('}', i);
            if (close < 0) throw new JinjaRuntimeError("ValueError: Single '{' encountered in format string");
            string field = s[(i + 1)..close];
            i = close;
            if (field.Contains(':')) throw new JinjaRuntimeError("format specifications in str.format are not supported");
            string conversion = "s";
            int bang = field.IndexOf('!');
            if (bang >= 0) { conversion = field[(bang + 1)..]; field = field[..bang]; }
            object? value;
            if (field.Length == 0) value = auto < a.Positional.Count ? a.Positional[auto++] : throw new JinjaRuntimeError($"IndexError: Replacement index {auto} out of range for positional args tuple");
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                value = index < a.Positional.Count ? a.Positional[index] : throw new JinjaRuntimeError($"IndexError: Replacement index {index} out of range for positional args tuple");
            else value = a.Named.FirstOrDefault(n => n.Key == field) is { Key: not null } named ? named.Value : throw new JinjaRuntimeError($"KeyError: '{field}'");
            result.Append(conversion switch
            {
                "s" => PythonValue.Str(value),
                "r" => PythonValue.Repr(value),
                _ => throw new JinjaRuntimeError($"ValueError: Unknown conversion specifier {conversion}"),
            });
        }
        return result.ToString();
    }

    /// <summary>printf-style <c>text % values</c> with %s, %r, %d, %i, %f (and %.Nf) and %%.</summary>
    public static string PercentFormat(string format, IReadOnlyList<object?> values, bool allowUnused = false)
    {
        var result = new StringBuilder();
        int next = 0;
        object? Take() => next < values.Count ? values[next++] : throw new JinjaRuntimeError("TypeError: not enough arguments for format string");
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%') { result.Append(format[i]); continue; }
            if (++i >= format.Length) throw new JinjaRuntimeError("ValueError: incomplete format");
            int? precision = null;
            if (format[i] == '.')
            {
                int start = ++i;
                while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
                precision = int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture);
                if (i >= format.Length) throw new JinjaRuntimeError("ValueError: incomplete format");
            }
            switch (format[i])
            {
                case '%': result.Append('%'); break;
                case 's': result.Append(PythonValue.Str(Take())); break;
                case 'r': result.Append(PythonValue.Repr(Take())); break;
                case 'd' or 'i':
                    var number = Take();
                    if (!PythonValue.IsNumber(number)) throw new JinjaRuntimeError($"TypeError: %{format[i]} format: a real number is required, not {PythonValue.TypeName(number)}");
                    result.Append(PythonValue.AsLong(number) is long l ? l.ToString(CultureInfo.InvariantCulture) : Math.Truncate(PythonValue.AsDouble(number)).ToString("F0", CultureInfo.InvariantCulture));
                    break;
                case 'f':
                    var real = Take();
                    if (!PythonValue.IsNumber(real)) throw new JinjaRuntimeError($"TypeError: must be real number, not {PythonValue.TypeName(real)}");
                    result.Append(PythonValue.AsDouble(real).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new JinjaRuntimeError($"the format directive '%{format[i]}' is not supported");
            }
        }
        if (next < values.Count && !allowUnused) throw new JinjaRuntimeError("TypeError: not all arguments converted during string formatting");
        return result.ToString();
    }

    private static readonly string[] _days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] _months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>Python's datetime.strftime in the C locale, with glibc's "-" flag (no padding), e.g. "%d %b %Y".</summary>
    public static string Strftime(DateTime time, string format)
    {
        var result = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length) { result.Append(format[i]); continue; }
            bool pad = true;
            if (format[i + 1] == '-' && i + 2 < format.Length) { pad = false; i++; }
            char code = format[++i];
            string Number(int value, int width) => pad ? value.ToString(new string('0', width), CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
            int hour12 = time.Hour % 12 == 0 ? 12 : time.Hour % 12;
            result.Append(code switch
            {
                'a' => _days[(int)time.DayOfWeek][..3],
                'A' => _days[(int)time.DayOfWeek],
                'b' or 'h' => _months[time.Month - 1][..3],
                'B' => _months[time.Month - 1],
                'd' => Number(time.Day, 2),
                'e' => pad ? time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) : time.Day.ToString(CultureInfo.InvariantCulture),
                'H' => Number(time.Hour, 2),
                'I' => Number(hour12, 2),
                'j' => Number(time.DayOfYear, 3),
                'm' => Number(time.Month, 2),
                'M' => Number(time.Minute, 2),
                'S' => Number(time.Second, 2),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'y' => Number(time.Year % 100, 2),
                'Y' => time.Year.ToString(CultureInfo.InvariantCulture),
                'w' => ((int)time.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'u' => (time.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)time.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'F' => Strftime(time, "%Y-%m-%d"),
                'D' => Strftime(time, "%m/%d/%y"),
                'T' => Strftime(time, "%H:%M:%S"),
                'R' => Strftime(time, "%H:%M"),
                'n' => "\n",
                't' => "\t",
                '%' => "%",
                _ => throw new JinjaRuntimeError($"strftime directive '%{code}' is not supported"),
            });
        }
        return result.ToString();
    }
}
