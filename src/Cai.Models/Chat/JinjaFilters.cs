using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Cai.Models.Chat;

/// <summary>
/// jinja2's filters and tests that chat templates use, with jinja2's semantics (sort and unique ignore case by
/// default, map/select/reject give generators, round is Python's round-half-even on the exact binary value), and
/// Hugging Face's <c>tojson</c> (<c>json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)</c>).
/// </summary>
internal static partial class JinjaFilters
{
    private delegate object? FilterFunction(JinjaEvaluator evaluator, object? value, Arguments arguments);

    private static readonly Dictionary<string, FilterFunction> _filters = new()
    {
        ["abs"] = FilterOf("abs", v => Abs(v)),
        ["attr"] = (_, v, a) => Attr(v, a.Bind("attr", 1, "name")[0]),
        ["capitalize"] = FilterOf("capitalize", v => PythonText.Capitalize(PythonValue.Str(v))),
        ["center"] = (_, v, a) => PythonText.Center(PythonValue.Str(v), Long(a.Bind("center", 0, "width")[0], 80)),
        ["count"] = FilterOf("count", v => PythonValue.Length(v)),
        ["default"] = Default,
        ["d"] = Default,
        ["dictsort"] = DictSort,
        ["escape"] = FilterOf("escape", v => HtmlEscape(PythonValue.Str(v))),
        ["e"] = FilterOf("e", v => HtmlEscape(PythonValue.Str(v))),
        ["forceescape"] = FilterOf("forceescape", v => HtmlEscape(PythonValue.Str(v))),
        ["first"] = FilterOf("first", v => { var items = PythonValue.Iterate(v); return items.Count > 0 ? items[0] : new Undefined("No first item, sequence was empty."); }),
        ["float"] = (_, v, a) => v is Undefined u ? throw u.Fail() : ToFloat(v) ?? Fallback(a.Bind("float", 0, "default")[0], 0.0),
        ["format"] = (_, v, a) => a.Named.Count > 0 ? throw new JinjaRuntimeError("the format filter with keyword arguments is not supported") : JinjaMethods.PercentFormat(PythonValue.Str(v), a.Positional),
        ["indent"] = Indent,
        ["int"] = ToInt,
        ["items"] = Items,
        ["join"] = Join,
        ["last"] = Last,
        ["length"] = FilterOf("length", v => PythonValue.Length(v)),
        ["list"] = FilterOf("list", v => new JinjaSequence(PythonValue.Iterate(v).ToList())),
        ["lower"] = FilterOf("lower", v => PythonText.Lower(PythonValue.Str(v))),
        ["map"] = Map,
        ["max"] = (e, v, a) => MinOrMax(v, a, "max"),
        ["min"] = (e, v, a) => MinOrMax(v, a, "min"),
        ["reject"] = (e, v, a) => Select(e, v, a, attribute: false, keep: false),
        ["rejectattr"] = (e, v, a) => Select(e, v, a, attribute: true, keep: false),
        ["replace"] = Replace,
        ["reverse"] = Reverse,
        ["round"] = Round,
        ["safe"] = FilterOf("safe", v => PythonValue.Str(v)),
        ["select"] = (e, v, a) => Select(e, v, a, attribute: false, keep: true),
        ["selectattr"] = (e, v, a) => Select(e, v, a, attribute: true, keep: true),
        ["sort"] = Sort,
        ["string"] = FilterOf("string", v => PythonValue.Str(v)),
        ["sum"] = Sum,
        ["title"] = FilterOf("title", v => Title(PythonValue.Str(v))),
        ["tojson"] = ToJson,
        ["trim"] = (_, v, a) => PythonText.Strip(PythonValue.Str(v), a.Bind("trim", 0, "chars")[0] as string),
        ["unique"] = Unique,
        ["upper"] = FilterOf("upper", v => PythonText.Upper(PythonValue.Str(v))),
        ["wordcount"] = FilterOf("wordcount", v => (long)WordPattern().Count(PythonValue.Str(v))),
    };

    private delegate bool TestFunction(object? value, Arguments arguments);

    private static readonly Dictionary<string, TestFunction> _tests = new()
    {
        ["defined"] = TestOf("defined", v => v is not Undefined),
        ["undefined"] = TestOf("undefined", v => v is Undefined),
        ["none"] = TestOf("none", v => v is null),
        ["boolean"] = TestOf("boolean", v => v is bool),
        ["true"] = TestOf("true", v => v is true),
        ["false"] = TestOf("false", v => v is false),
        ["integer"] = TestOf("integer", v => v is long),
        ["float"] = TestOf("float", v => v is double),
        ["number"] = TestOf("number", v => PythonValue.IsNumber(v)),
        ["string"] = TestOf("string", v => v is string),
        ["mapping"] = TestOf("mapping", v => v is JinjaDict),
        // Python: len() and __getitem__ exist (jinja2's Undefined has both).
        ["sequence"] = TestOf("sequence", v => v is string or JinjaDict or Undefined or JinjaSequence { IsSubscriptable: true }),
        ["iterable"] = TestOf("iterable", v => v is string or JinjaDict or Undefined or JinjaSequence),
        ["callable"] = TestOf("callable", v => v is JinjaCallable or Undefined),
        ["odd"] = TestOf("odd", v => PythonValue.Equal(PythonOperators.Binary("%", v, 2L, int.MaxValue), 1L)),
        ["even"] = TestOf("even", v => PythonValue.Equal(PythonOperators.Binary("%", v, 2L, int.MaxValue), 0L)),
        ["divisibleby"] = (v, a) => PythonValue.Equal(PythonOperators.Binary("%", v, a.Bind("divisibleby", 1, "num")[0], int.MaxValue), 0L),
        ["eq"] = Comparison("eq", "=="),
        ["equalto"] = Comparison("equalto", "=="),
        ["=="] = Comparison("==", "=="),
        ["ne"] = Comparison("ne", "!="),
        ["!="] = Comparison("!=", "!="),
        ["lt"] = Comparison("lt", "<"),
        ["lessthan"] = Comparison("lessthan", "<"),
        ["<"] = Comparison("<", "<"),
        ["le"] = Comparison("le", "<="),
        ["<="] = Comparison("<=", "<="),
        ["gt"] = Comparison("gt", ">"),
        ["greaterthan"] = Comparison("greaterthan", ">"),
        [">"] = Comparison(">", ">"),
        ["ge"] = Comparison("ge", ">="),
        [">="] = Comparison(">=", ">="),
        ["in"] = (v, a) => PythonOperators.Compare("in", v, a.Bind("in", 1, "seq")[0]),
        ["lower"] = TestOf("lower", v => PythonText.IsLower(PythonValue.Str(v))),
        ["upper"] = TestOf("upper", v => PythonText.IsUpper(PythonValue.Str(v))),
        ["sameas"] = (v, a) => SameAs(v, a.Bind("sameas", 1, "other")[0]),
        ["escaped"] = TestOf("escaped", _ => false), // no Markup strings here
        ["filter"] = TestOf("filter", v => v is string name && _filters.ContainsKey(name)),
        ["test"] = TestOf("test", v => v is string name && _tests!.ContainsKey(name)),
    };

    /// <summary>A test or filter that takes no arguments beyond the value.</summary>
    private static TestFunction TestOf(string name, Func<object?, bool> test) => (v, a) =>
    {
        a.Bind(name, 0);
        return test(v);
    };

    private static TestFunction Comparison(string name, string op) => (v, a) => PythonOperators.Compare(op, v, a.Bind(name, 1, "other")[0]);

    private static FilterFunction FilterOf(string name, Func<object?, object?> filter) => (_, v, a) =>
    {
        a.Bind(name, 0);
        return filter(v);
    };

    /// <summary>Filter names a template may use (checked when it is parsed).</summary>
    public static IReadOnlyCollection<string> FilterNames => _filters.Keys;

    /// <summary>Test names a template may use (checked when it is parsed).</summary>
    public static IReadOnlyCollection<string> TestNames => _tests.Keys;

    public static object? Apply(JinjaEvaluator evaluator, string name, object? value, Arguments arguments) =>
        _filters.TryGetValue(name, out var filter) ? filter(evaluator, value, arguments) : throw new JinjaRuntimeError($"unsupported filter '{name}'", JinjaErrorKind.Unsupported);

    public static bool Test(string name, object? value, Arguments arguments) =>
        _tests.TryGetValue(name, out var test) ? test(value, arguments) : throw new JinjaRuntimeError($"unsupported test '{name}'", JinjaErrorKind.Unsupported);

    // ---- Helpers shared by filters ----

    private static long Long(object? value, long fallback) =>
        value == Arguments.Missing ? fallback : PythonValue.AsLong(value) ?? throw new JinjaRuntimeError($"TypeError: an integer is required, not {PythonValue.TypeName(value)}");

    private static bool Flag(object? value) => value != Arguments.Missing && PythonValue.IsTrue(value);

    private static object? Fallback(object? value, object? fallback) => value == Arguments.Missing ? fallback : value;

    private static JinjaSequence Generator(IEnumerable<object?> items) => new(items.ToList(), SequenceKind.Generator);

    /// <summary>jinja2's make_attrgetter: "a.b.0" looks up a, then b, then item 0, each as item-then-attribute.</summary>
    private static Func<object?, object?> AttributeGetter(object? attribute, object? fallback = null, bool ignoreCase = false)
    {
        var parts = attribute switch
        {
            null => [],
            string s => s.Split('.').Select(p => p.Length > 0 && p.All(char.IsAsciiDigit) ? (object?)long.Parse(p, CultureInfo.InvariantCulture) : p).ToArray(),
            _ => [attribute],
        };
        return item =>
        {
            foreach (var part in parts)
            {
                item = JinjaEvaluator.GetItem(item, part);
                if (fallback is not null && item is Undefined) item = fallback;
            }
            return ignoreCase && item is string s ? PythonText.Lower(s) : item;
        };
    }

    /// <summary>Python's sorted(items, key=key, reverse=descending): a stable merge sort that compares only with
    /// &lt; (so incomparable values raise Python's TypeError, and equal ones keep their order either way).</summary>
    private static List<T> Sorted<T>(IEnumerable<T> items, Func<T, object?> key, bool descending)
    {
        var keyed = items.Select(item => (Item: item, Key: key(item))).ToArray();
        bool Less(object? a, object? b) => PythonValue.Compare(a, b, "<") < 0;
        // Take the right element first only when it must come strictly before the left one.
        bool RightFirst((T Item, object? Key) left, (T Item, object? Key) right) => descending ? Less(left.Key, right.Key) : Less(right.Key, left.Key);
        var buffer = new (T Item, object? Key)[keyed.Length];
        for (int width = 1; width < keyed.Length; width *= 2)
        {
            for (int start = 0; start < keyed.Length; start += 2 * width)
            {
                int middle = Math.Min(start + width, keyed.Length), end = Math.Min(start + 2 * width, keyed.Length);
                int i = start, j = middle, k = start;
                while (i < middle && j < end) buffer[k++] = RightFirst(keyed[i], keyed[j]) ? keyed[j++] : keyed[i++];
                while (i < middle) buffer[k++] = keyed[i++];
                while (j < end) buffer[k++] = keyed[j++];
            }
            (keyed, buffer) = (buffer, keyed);
        }
        return keyed.Select(e => e.Item).ToList();
    }

    // ---- Filters ----

    private static object Abs(object? v) => v switch
    {
        double d => Math.Abs(d),
        bool or long => PythonOperators.Unary(PythonValue.AsLong(v) < 0 ? "-" : "+", v)!,
        Undefined u => throw u.Fail(),
        _ => throw new JinjaRuntimeError($"TypeError: bad operand type for abs(): '{PythonValue.TypeName(v)}'"),
    };

    private static object? Attr(object? v, object? name)
    {
        if (name is not string attribute) return Undefined.Attribute(v, name);
        if (v is JinjaDict) return JinjaMethods.IsAttribute(v, attribute) ? new BoundMethod(v, attribute) : Undefined.Attribute(v, attribute);
        return v is Undefined ? Undefined.Attribute(v, attribute) : JinjaEvaluator.GetAttribute(v, attribute);
    }

    private static object? Default(JinjaEvaluator _, object? v, Arguments a)
    {
        var args = a.Bind("default", 0, "default_value", "boolean");
        return v is Undefined || (Flag(args[1]) && !PythonValue.IsTrue(v)) ? Fallback(args[0], "") : v;
    }

    private static object DictSort(JinjaEvaluator _, object? v, Arguments a)
    {
        var args = a.Bind("dictsort", 0, "case_sensitive", "by", "reverse");
        if (v is not JinjaDict dict) throw new JinjaRuntimeError($"dictsort expects a dict, got {PythonValue.TypeName(v)}");
        int position = Fallback(args[1], "key") switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new JinjaRuntimeError("You can only sort by either \"key\" or \"value\""),
        };
        bool caseSensitive = Flag(args[0]);
        object? Key(KeyValuePair<object?, object?> e)
        {
            var k = position == 0 ? e.Key : e.Value;
            return !caseSensitive && k is string s ? PythonText.Lower(s) : k;
        }
        return new JinjaSequence(Sorted(dict.Entries, Key, Flag(args[2])).Select(e => (object?)JinjaSequence.Tuple(e.Key, e.Value)).ToList());
    }

    private static string HtmlEscape(string s) =>
        s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("'", "&#39;").Replace("\"", "&#34;");

    /// <summary>jinja2's indent: every line but the first (unless <c>first</c>) and blank lines (unless <c>blank</c>).</summary>
    private static object Indent(JinjaEvaluator evaluator, object? v, Arguments a)
    {
        var args = a.Bind("indent", 0, "width", "first", "blank");
        string indentation = args[0] is string text ? text : new string(' ', (int)Math.Max(0, Long(args[0], 4)));
        if (v is Undefined u) throw u.Fail();
        if (v is not string s) throw new JinjaRuntimeError($"TypeError: unsupported operand type(s) for +=: '{PythonValue.TypeName(v)}' and 'str'");
        var lines = PythonText.SplitLines(s + "\n");
        string result;
        if (Flag(args[2])) result = string.Join("\n" + indentation, lines);
        else
        {
            result = lines[0];
            if (lines.Count > 1)
                result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indentation + line : line));
        }
        if (Flag(args[1])) result = indentation + result;
        return PythonValue.Bounded(result, evaluator.MaxStringLength);
    }

    private static object? ToInt(JinjaEvaluator _, object? v, Arguments a)
    {
        var args = a.Bind("int", 0, "default", "base");
        if (v is Undefined u) throw u.Fail();
        long numberBase = Long(args[1], 10);
        long? parsed = v switch
        {
            string s => ParseInt(s, numberBase),
            bool or long => PythonValue.AsLong(v),
            double d => double.IsNaN(d) ? null : double.IsInfinity(d) ? throw new JinjaRuntimeError("OverflowError: cannot convert float infinity to integer") : TruncateToLong(d),
            _ => null,
        };
        // jinja2's quirk: "42.23"|int is 42 (through float).
        if (parsed is null && v is string text && ToFloat(text) is double f && double.IsFinite(f)) parsed = TruncateToLong(f);
        return parsed ?? Fallback(args[0], 0L);
    }

    private static long TruncateToLong(double d) =>
        Math.Abs(d) < 9.2e18 ? (long)Math.Truncate(d) : throw new JinjaRuntimeError("OverflowError: the integer does not fit in 64 bits");

    /// <summary>Python's int(text, base): surrounding whitespace, a sign, and "_" between digits are allowed.</summary>
    private static long? ParseInt(string text, long numberBase)
    {
        string s = PythonText.Strip(text, null);
        bool negative = s.StartsWith('-');
        if (s.StartsWith('-') || s.StartsWith('+')) s = s[1..];
        string prefix = numberBase switch { 16 => "0x", 8 => "0o", 2 => "0b", _ => "" };
        if (prefix.Length > 0 && s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) s = s[2..].TrimStart('_');
        if (s.Length == 0 || s.StartsWith('_') || s.EndsWith('_') || s.Contains("__")) return null;
        BigInteger value = 0;
        foreach (char c in s.Replace("_", ""))
        {
            int digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= numberBase) return null;
            value = value * numberBase + digit;
        }
        if (negative) value = -value;
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : throw new JinjaRuntimeError("OverflowError: the integer does not fit in 64 bits");
    }

    /// <summary>Python's float(value); null where Python raises TypeError or ValueError.</summary>
    private static double? ToFloat(object? v)
    {
        switch (v)
        {
            case bool or long or double: return PythonValue.AsDouble(v);
            case string text:
                string s = PythonText.Strip(text, null);
                string lower = PythonText.Lower(s).TrimStart('+', '-');
                if (lower is "inf" or "infinity" or "nan")
                {
                    double special = lower == "nan" ? double.NaN : double.PositiveInfinity;
                    return s.StartsWith('-') ? -special : special;
                }
                if (!FloatPattern().IsMatch(s)) return null;
                return double.Parse(s.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
            default: return null;
        }
    }

    private static object Items(JinjaEvaluator _, object? v, Arguments a)
    {
        a.Bind("items", 0);
        return v switch
        {
            Undefined => Generator([]),
            JinjaDict dict => Generator(dict.Entries.Select(e => (object?)JinjaSequence.Tuple(e.Key, e.Value))),
            _ => throw new JinjaRuntimeError("TypeError: Can only get item pairs from a mapping."),
        };
    }

    private static object Join(JinjaEvaluator evaluator, object? v, Arguments a)
    {
        var args = a.Bind("join", 0, "d", "attribute");
        IEnumerable<object?> items = PythonValue.Iterate(v);
        if (args[1] != Arguments.Missing && args[1] is not null) items = items.Select(AttributeGetter(args[1]));
        return PythonValue.Join(items, PythonValue.Str(Fallback(args[0], "")), evaluator.MaxStringLength);
    }

    private static object? Last(JinjaEvaluator _, object? v, Arguments a)
    {
        a.Bind("last", 0);
        if (v is JinjaSequence { Kind: SequenceKind.Generator }) throw new JinjaRuntimeError("TypeError: 'generator' object is not reversible");
        var items = v is Undefined ? [] : PythonValue.Iterate(v);
        return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
    }

    /// <summary>map(attribute="x", default=...) or map("filter", args...).</summary>
    private static object Map(JinjaEvaluator evaluator, object? v, Arguments a)
    {
        if (!PythonValue.IsTrue(v)) return Generator([]);
        var items = PythonValue.Iterate(v);
        if (a.Positional.Count == 0 && a.Named.Any(n => n.Key == "attribute"))
        {
            var args = a.Bind("map", 0, "attribute", "default");
            var getter = AttributeGetter(args[0], Fallback(args[1], null));
            return Generator(items.Select(getter));
        }
        if (a.Positional.Count == 0 || a.Positional[0] is not string filterName) throw new JinjaRuntimeError("map requires a filter argument");
        var rest = new Arguments(a.Positional.Skip(1).ToList(), a.Named);
        return Generator(items.Select(item => Apply(evaluator, filterName, item, rest)));
    }

    private static object? MinOrMax(object? v, Arguments a, string which)
    {
        var args = a.Bind(which, 0, "case_sensitive", "attribute");
        var items = PythonValue.Iterate(v);
        if (items.Count == 0) return new Undefined("No aggregated item, sequence was empty.");
        var key = AttributeGetter(Fallback(args[1], null), ignoreCase: !Flag(args[0]));
        var best = items[0];
        foreach (var item in items.Skip(1))
        {
            if (which == "min" ? PythonValue.Compare(key(item), key(best), "<") < 0 : PythonValue.Compare(key(item), key(best), ">") > 0) best = item;
        }
        return best;
    }

    /// <summary>select/reject(test, args...) and selectattr/rejectattr(attribute, test, args...); without a test the
    /// value's truth decides.</summary>
    private static object Select(JinjaEvaluator evaluator, object? v, Arguments a, bool attribute, bool keep)
    {
        if (!PythonValue.IsTrue(v)) return Generator([]);
        int offset = attribute ? 1 : 0;
        if (attribute && a.Positional.Count == 0) throw new JinjaRuntimeError("Missing parameter for attribute name");
        var getter = attribute ? AttributeGetter(a.Positional[0]) : (x => x);
        Func<object?, bool> predicate = PythonValue.IsTrue;
        if (a.Positional.Count > offset)
        {
            string testName = a.Positional[offset] as string ?? throw new JinjaRuntimeError("the test name must be a string");
            var rest = new Arguments(a.Positional.Skip(offset + 1).ToList(), a.Named);
            predicate = x => Test(testName, x, rest);
        }
        return Generator(PythonValue.Iterate(v).Where(item => predicate(getter(item)) == keep));
    }

    private static object Replace(JinjaEvaluator evaluator, object? v, Arguments a)
    {
        var args = a.Bind("replace", 2, "old", "new", "count");
        long count = args[2] == Arguments.Missing || args[2] is null ? -1 : Long(args[2], -1);
        return PythonValue.Bounded(JinjaMethods.Replace(PythonValue.Str(v), PythonValue.Str(args[0]), PythonValue.Str(args[1]), count), evaluator.MaxStringLength);
    }

    private static object Reverse(JinjaEvaluator _, object? v, Arguments a)
    {
        a.Bind("reverse", 0);
        if (v is string s) return PythonText.Slice(s, null, null, -1);
        if (v is JinjaSequence { Kind: SequenceKind.Generator } generator) return new JinjaSequence(generator.Items.Reverse().ToList());
        return Generator(PythonValue.Iterate(v).Reverse());
    }

    private static object Round(JinjaEvaluator _, object? v, Arguments a)
    {
        var args = a.Bind("round", 0, "precision", "method");
        long precision = Long(args[0], 0);
        string method = Fallback(args[1], "common") as string ?? "";
        if (method is not ("common" or "ceil" or "floor")) throw new JinjaRuntimeError("method must be common, ceil or floor");
        if (v is Undefined u) throw u.Fail();
        if (!PythonValue.IsNumber(v)) throw new JinjaRuntimeError($"TypeError: type {PythonValue.TypeName(v)} doesn't define __round__ method");
        if (method == "common") return v is double d ? (object)RoundHalfEven(d, precision) : RoundInteger(PythonValue.AsLong(v)!.Value, precision);
        double scale = Math.Pow(10, precision);
        double scaled = PythonValue.AsDouble(v) * scale;
        return (method == "ceil" ? Math.Ceiling(scaled) : Math.Floor(scaled)) / scale;
    }

    /// <summary>round(int, n): unchanged for n ≥ 0, else to a multiple of 10^-n, half to even.</summary>
    private static long RoundInteger(long value, long precision)
    {
        if (precision >= 0) return value;
        if (precision < -18) return 0;
        long unit = (long)Math.Pow(10, -precision);
        long q = value / unit, r = value % unit;
        if (r < 0) { q--; r += unit; }
        if (2 * r > unit || (2 * r == unit && (q & 1) == 1)) q++;
        return checked(q * unit);
    }

    /// <summary>Python's round(float, n): the exact binary value rounded half-to-even at n decimals.</summary>
    private static double RoundHalfEven(double value, long precision)
    {
        if (!double.IsFinite(value) || value == 0 || precision > 330) return value;
        if (precision < -330) return 0.0 * value;
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponent = (int)((bits >> 52) & 0x7FF);
        BigInteger mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa += 1L << 52;
        exponent -= 1075; // |value| = mantissa * 2^exponent
        BigInteger numerator = mantissa * BigInteger.Pow(2, Math.Max(exponent, 0)) * BigInteger.Pow(10, (int)Math.Max(precision, 0));
        BigInteger denominator = BigInteger.Pow(2, Math.Max(-exponent, 0)) * BigInteger.Pow(10, (int)Math.Max(-precision, 0));
        BigInteger quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        int half = (remainder * 2).CompareTo(denominator);
        if (half > 0 || (half == 0 && !quotient.IsEven)) quotient++;
        string digits = quotient.ToString(CultureInfo.InvariantCulture);
        string text = precision >= 0 ? digits + "e-" + precision : digits + "e" + (-precision);
        double result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return value < 0 ? -result : result;
    }

    private static object Sort(JinjaEvaluator _, object? v, Arguments a)
    {
        var args = a.Bind("sort", 0, "reverse", "case_sensitive", "attribute");
        bool ignoreCase = !Flag(args[1]);
        var attribute = Fallback(args[2], null);
        // "age,name" sorts by several attributes.
        var getters = attribute is string s ? s.Split(',').Select(p => AttributeGetter(p, ignoreCase: ignoreCase)).ToArray() : [AttributeGetter(attribute, ignoreCase: ignoreCase)];
        object? Key(object? item) => getters.Length == 1 ? getters[0](item) : JinjaSequence.Tuple(getters.Select(g => g(item)).ToArray());
        var items = PythonValue.Iterate(v);
        return new JinjaSequence(Sorted(items, Key, Flag(args[0])));
    }

    private static object? Sum(JinjaEvaluator evaluator, object? v, Arguments a)
    {
        var args = a.Bind("sum", 0, "attribute", "start");
        IEnumerable<object?> items = PythonValue.Iterate(v);
        if (args[0] != Arguments.Missing && args[0] is not null) items = items.Select(AttributeGetter(args[0]));
        object? total = Fallback(args[1], 0L);
        foreach (var item in items)
        {
            if (item is string) throw new JinjaRuntimeError("TypeError: unsupported operand type(s) for +: 'int' and 'str'");
            total = PythonOperators.Binary("+", total, item, evaluator.MaxStringLength);
        }
        return total;
    }

    /// <summary>jinja2's title filter (not str.title): each word, after "-", whitespace or an opening bracket, gets its
    /// first character upper-cased and the rest lower-cased.</summary>
    private static string Title(string s) =>
        string.Concat(WordBeginning().Split(s).Where(p => p.Length > 0).Select(p => PythonText.Upper(p[..1]) + PythonText.Lower(p[1..])));

    private static object Unique(JinjaEvaluator _, object? v, Arguments a)
    {
        var args = a.Bind("unique", 0, "case_sensitive", "attribute");
        var key = AttributeGetter(Fallback(args[1], null), ignoreCase: !Flag(args[0]));
        var seen = new JinjaDict();
        var result = new List<object?>();
        foreach (var item in PythonValue.Iterate(v))
        {
            var k = key(item);
            if (seen.ContainsKey(k)) continue;
            seen.Set(k, null);
            result.Add(item);
        }
        return Generator(result);
    }

    private static bool SameAs(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (bool x, bool y) => x == y,
        (long x, long y) => x == y,
        (string x, string y) => x == y,
        _ => ReferenceEquals(a, b),
    };

    // ---- tojson (Hugging Face's) ----

    private static object ToJson(JinjaEvaluator evaluator, object? v, Arguments a)
    {
        var args = a.Bind("tojson", 0, "ensure_ascii", "indent", "separators", "sort_keys");
        bool ensureAscii = Flag(args[0]);
        string? indent = Fallback(args[1], null) switch
        {
            null => null,
            string s => s,
            var n => new string(' ', (int)Math.Max(0, Long(n, 0))),
        };
        var (itemSeparator, keySeparator) = Fallback(args[2], null) switch
        {
            null => indent is null ? (", ", ": ") : (",", ": "),
            JinjaSequence { Count: 2 } pair when pair[0] is string item && pair[1] is string key => (item, key),
            _ => throw new JinjaRuntimeError("tojson separators must be a pair of strings"),
        };
        var json = new StringBuilder();
        WriteJson(json, v, new JsonStyle(indent, itemSeparator, keySeparator, Flag(args[3]), ensureAscii, evaluator.MaxStringLength), 0);
        return json.ToString();
    }

    private sealed record JsonStyle(string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys, bool EnsureAscii, int MaxLength);

    private static void WriteJson(StringBuilder json, object? value, JsonStyle style, int level)
    {
        if (json.Length > style.MaxLength) PythonValue.Bounded(json.ToString(), style.MaxLength);
        switch (value)
        {
            case null: json.Append("null"); return;
            case bool b: json.Append(b ? "true" : "false"); return;
            case long l: json.Append(l.ToString(CultureInfo.InvariantCulture)); return;
            case double d: json.Append(JsonFloat(d)); return;
            case string s: WriteJsonString(json, s, style.EnsureAscii); return;
            case JinjaSequence { Kind: SequenceKind.List or SequenceKind.Tuple } seq:
                WriteJsonContainer(json, '[', ']', seq.Items, style, level, (item, l) => WriteJson(json, item, style, l));
                return;
            case JinjaDict dict:
                var entries = style.SortKeys ? Sorted(dict.Entries, e => e.Key, descending: false) : dict.Entries;
                WriteJsonContainer(json, '{', '}', entries, style, level, (entry, l) =>
                {
                    WriteJsonString(json, JsonKey(entry.Key), style.EnsureAscii);
                    json.Append(style.KeySeparator);
                    WriteJson(json, entry.Value, style, l);
                });
                return;
        }
        throw new JinjaRuntimeError($"TypeError: Object of type {PythonValue.TypeName(value)} is not JSON serializable");
    }

    private static void WriteJsonContainer<T>(StringBuilder json, char open, char close, IReadOnlyList<T> items, JsonStyle style, int level, Action<T, int> write)
    {
        if (items.Count == 0) { json.Append(open).Append(close); return; }
        json.Append(open);
        string newline = style.Indent is null ? "" : "\n" + string.Concat(Enumerable.Repeat(style.Indent, level + 1));
        for (int i = 0; i < items.Count; i++)
        {
            json.Append(i == 0 ? newline : style.ItemSeparator + newline);
            write(items[i], level + 1);
        }
        if (style.Indent is not null) json.Append('\n').Append(string.Concat(Enumerable.Repeat(style.Indent, level)));
        json.Append(close);
    }

    private static string JsonKey(object? key) => key switch
    {
        string s => s,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => JsonFloat(d),
        _ => throw new JinjaRuntimeError($"TypeError: keys must be str, int, float, bool or None, not {PythonValue.TypeName(key)}"),
    };

    private static string JsonFloat(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PythonValue.FloatRepr(d);

    private static void WriteJsonString(StringBuilder json, string s, bool ensureAscii)
    {
        json.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) json.Append($"\\u{(int)c:x4}");
                    else json.Append(c);
                    break;
            }
        }
        json.Append('"');
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"([-\s\x1c-\x1f({\[<]+)")]
    private static partial Regex WordBeginning();

    [GeneratedRegex(@"^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$")]
    private static partial Regex FloatPattern();
}
