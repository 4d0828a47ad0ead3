using System.Globalization;
using System.Numerics;
using System.Text;

namespace Cai.Models.Chat;

// Template values are Python's, represented as: null (None), bool, long (int), double (float), string (str),
// JinjaSequence (list, tuple, range, dict views, generators), JinjaDict (dict), Undefined, Namespace, LoopContext
// and JinjaCallable (macros, globals, bound methods). PythonValue gives them Python's semantics.

/// <summary>An error while rendering, positioned by the evaluator at the innermost node that was being evaluated.</summary>
internal sealed class JinjaRuntimeError(string message, JinjaErrorKind kind = JinjaErrorKind.Runtime) : Exception(message)
{
    public JinjaErrorKind Kind { get; } = kind;
    public int Position { get; set; } = -1;
}

/// <summary>jinja2's default Undefined: renders as "", is falsy and iterates as empty; anything else raises.</summary>
internal sealed class Undefined(string message)
{
    /// <summary>jinja2's message, e.g. "'foo' is undefined" or "'dict object' has no attribute 'bar'".</summary>
    public string Message { get; } = message;

    public static Undefined Named(string name) => new($"'{name}' is undefined");

    /// <summary>What <c>owner.key</c> or <c>owner[key]</c> gives when there is no such attribute or item.</summary>
    public static Undefined Attribute(object? owner, object? key)
    {
        string type = owner is null ? "None" : PythonValue.TypeName(owner) + " object";
        return new(key is string name
            ? $"{PythonText.Repr(type)} has no attribute {PythonText.Repr(name)}"
            : $"{type} has no element {PythonValue.Repr(key)}");
    }

    public JinjaRuntimeError Fail() => new(Message);
}

internal enum SequenceKind { List, Tuple, Range, Generator, DictKeys, DictValues, DictItems }

/// <summary>An immutable Python sequence (the template sandbox never mutates lists).</summary>
internal sealed class JinjaSequence(IReadOnlyList<object?> items, SequenceKind kind = SequenceKind.List) : IReadOnlyList<object?>
{
    public IReadOnlyList<object?> Items { get; } = items;
    public SequenceKind Kind { get; } = kind;
    /// <summary>range(start, stop, step) for <see cref="SequenceKind.Range"/>; its repr shows them.</summary>
    public (long Start, long Stop, long Step) RangeArguments { get; init; }

    public static JinjaSequence Tuple(params object?[] items) => new(items, SequenceKind.Tuple);

    /// <summary>Lists, tuples and ranges support indexing, slicing and <c>+</c>; views and generators do not.</summary>
    public bool IsSubscriptable => Kind is SequenceKind.List or SequenceKind.Tuple or SequenceKind.Range;

    public int Count => Items.Count;
    public object? this[int index] => Items[index];
    public IEnumerator<object?> GetEnumerator() => Items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An immutable insertion-ordered Python dict; keys compare with Python's == (1 == 1.0 == True).</summary>
internal sealed class JinjaDict
{
    private readonly List<KeyValuePair<object?, object?>> _entries = [];
    private readonly Dictionary<PythonKey, int> _index = [];

    public int Count => _entries.Count;
    public IEnumerable<object?> Keys => _entries.Select(e => e.Key);
    public IEnumerable<object?> Values => _entries.Select(e => e.Value);
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    /// <summary>Adds or replaces (a repeated key in a literal keeps its first position, as in Python).</summary>
    public void Set(object? key, object? value)
    {
        var k = new PythonKey(key);
        if (_index.TryGetValue(k, out int i)) _entries[i] = new(_entries[i].Key, value);
        else
        {
            _index[k] = _entries.Count;
            _entries.Add(new(key, value));
        }
    }

    public bool TryGetValue(object? key, out object? value)
    {
        if (key is JinjaDict or JinjaSequence { Kind: not SequenceKind.Tuple }) throw new JinjaRuntimeError($"TypeError: unhashable type: '{PythonValue.TypeName(key)}'");
        if (_index.TryGetValue(new PythonKey(key), out int i)) { value = _entries[i].Value; return true; }
        value = null;
        return false;
    }

    public bool ContainsKey(object? key) => TryGetValue(key, out _);

    /// <summary>A dict key with Python's equality and a hash consistent with it.</summary>
    private readonly record struct PythonKey(object? Value)
    {
        public bool Equals(PythonKey other) => PythonValue.Equal(Value, other.Value);
        public override int GetHashCode() => PythonValue.Hash(Value);
    }
}

/// <summary>jinja2's namespace(): the one object templates can assign attributes on.</summary>
internal sealed class Namespace
{
    public Dictionary<string, object?> Attributes { get; } = [];
}

/// <summary>The <c>loop</c> variable of a for loop.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }
    public int Length => items.Count;
    private object? _lastChanged = Undefined.Named("changed");

    public object? Get(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(Length - Index0),
        "revindex0" => (long)(Length - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Length - 1,
        "length" => (long)Length,
        "depth" => 1L, // loops are not recursive here
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("there is no previous item"),
        "nextitem" => Index0 < Length - 1 ? items[Index0 + 1] : new Undefined("there is no next item"),
        "cycle" or "changed" => new BoundMethod(this, name),
        _ => new Undefined($"'LoopContext object' has no attribute '{name}'"),
    };

    /// <summary>loop.cycle(a, b, ...): the argument at this iteration's index modulo their count.</summary>
    public object? Cycle(IReadOnlyList<object?> values) =>
        values.Count == 0 ? throw new JinjaRuntimeError("TypeError: no items for cycling given") : values[Index0 % values.Count];

    /// <summary>loop.changed(value): true on the first call and whenever the value differs from the last call's.</summary>
    public bool Changed(object? value)
    {
        if (_lastChanged is not Undefined && PythonValue.Equal(value, _lastChanged)) return false;
        _lastChanged = value;
        return true;
    }
}

/// <summary>Positional and keyword arguments of a call.</summary>
internal sealed class Arguments(List<object?> positional, List<KeyValuePair<string, object?>> named)
{
    public List<object?> Positional { get; } = positional;
    public List<KeyValuePair<string, object?>> Named { get; } = named;

    public static Arguments Of(params object?[] positional) => new([.. positional], []);

    /// <summary>
    /// Binds to the parameters <paramref name="names"/> as Python would; parameters without an argument are
    /// <see cref="Missing"/>. <paramref name="required"/> leading parameters must be given.
    /// </summary>
    public object?[] Bind(string callee, int required, params string[] names)
    {
        if (Positional.Count > names.Length)
            throw new JinjaRuntimeError($"TypeError: {callee}() takes at most {names.Length} argument(s) ({Positional.Count} given)");
        var bound = new object?[names.Length];
        Array.Fill(bound, Missing);
        for (int i = 0; i < Positional.Count; i++) bound[i] = Positional[i];
        foreach (var (name, value) in Named)
        {
            int i = Array.IndexOf(names, name);
            if (i < 0) throw new JinjaRuntimeError($"TypeError: {callee}() got an unexpected keyword argument '{name}'");
            if (bound[i] != Missing) throw new JinjaRuntimeError($"TypeError: {callee}() got multiple values for argument '{name}'");
            bound[i] = value;
        }
        for (int i = 0; i < required; i++)
            if (bound[i] == Missing) throw new JinjaRuntimeError($"TypeError: {callee}() missing required argument '{names[i]}'");
        return bound;
    }

    /// <summary>Marks a parameter that got no argument.</summary>
    public static readonly object Missing = new();
}

/// <summary>Something a template can call: a macro, a global function or a method bound to a value.</summary>
internal abstract class JinjaCallable(string name)
{
    public string Name { get; } = name;
    public abstract object? Invoke(JinjaEvaluator evaluator, Arguments arguments);
}

/// <summary>A global function (range, dict, namespace, raise_exception, strftime_now).</summary>
internal sealed class GlobalFunction(string name, Func<Arguments, object?> function) : JinjaCallable(name)
{
    public override object? Invoke(JinjaEvaluator evaluator, Arguments arguments) => function(arguments);
}

/// <summary>A method looked up on a value, such as <c>message.content.strip</c>; calling it runs <see cref="JinjaMethods"/>.</summary>
internal sealed class BoundMethod(object? self, string name) : JinjaCallable(name)
{
    public object? Self { get; } = self;
    public override object? Invoke(JinjaEvaluator evaluator, Arguments arguments) => JinjaMethods.Call(Self, Name, arguments);
}

/// <summary>Python semantics of template values: truth, str, repr, ==, ordering, hashing, iteration, length.</summary>
internal static class PythonValue
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        JinjaDict => "dict",
        JinjaSequence s => s.Kind switch
        {
            SequenceKind.List => "list",
            SequenceKind.Tuple => "tuple",
            SequenceKind.Range => "range",
            SequenceKind.Generator => "generator",
            SequenceKind.DictKeys => "dict_keys",
            SequenceKind.DictValues => "dict_values",
            _ => "dict_items",
        },
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        BoundMethod => "builtin_function_or_method",
        JinjaCallable => "function",
        _ => value.GetType().Name,
    };

    public static bool IsTrue(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        JinjaDict d => d.Count > 0,
        JinjaSequence { Kind: SequenceKind.Generator } => true,
        JinjaSequence s => s.Count > 0,
        _ => true,
    };

    /// <summary>str(value), which is what <c>{{ value }}</c> prints.</summary>
    public static string Str(object? value) => value switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(value),
    };

    /// <summary>repr(value), used for items inside containers.</summary>
    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        string s => PythonText.Repr(s),
        Undefined => "Undefined",
        JinjaDict d => "{" + string.Join(", ", d.Entries.Select(e => Repr(e.Key) + ": " + Repr(e.Value))) + "}",
        JinjaSequence s => SequenceRepr(s),
        Namespace n => "<Namespace " + Repr(DictOf(n.Attributes)) + ">",
        LoopContext l => $"<LoopContext {l.Index0 + 1}/{l.Length}>",
        JinjaEvaluator.Macro m => m.Name == "caller" ? "<Macro anonymous>" : $"<Macro '{m.Name}'>",
        JinjaCallable c => $"<function {c.Name}>",
        _ => value.ToString() ?? "",
    };

    private static string SequenceRepr(JinjaSequence s)
    {
        string items = string.Join(", ", s.Items.Select(Repr));
        return s.Kind switch
        {
            SequenceKind.List => "[" + items + "]",
            SequenceKind.Tuple => s.Count == 1 ? "(" + items + ",)" : "(" + items + ")",
            SequenceKind.Range => s.RangeArguments.Step == 1
                ? $"range({s.RangeArguments.Start}, {s.RangeArguments.Stop})"
                : $"range({s.RangeArguments.Start}, {s.RangeArguments.Stop}, {s.RangeArguments.Step})",
            SequenceKind.Generator => "<generator object>",
            _ => TypeName(s) + "([" + items + "])",
        };
    }

    public static JinjaDict DictOf(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var dict = new JinjaDict();
        foreach (var (key, value) in pairs) dict.Set(key, value);
        return dict;
    }

    /// <summary>repr(float): the shortest round-trip digits, in exponent form below 1e-4 or from 1e16, always with a
    /// decimal point or exponent.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        // "R" gives the shortest round-trip digits; only the layout differs from Python's.
        string shortest = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        int ePos = shortest.IndexOf('E');
        string mantissa = ePos >= 0 ? shortest[..ePos] : shortest;
        int exponent = ePos >= 0 ? int.Parse(shortest[(ePos + 1)..], CultureInfo.InvariantCulture) : 0;
        int dot = mantissa.IndexOf('.');
        string allDigits = mantissa.Replace(".", "");
        string digits = allDigits.TrimStart('0');
        // The value is 0.{digits} * 10^pointAt.
        int pointAt = (dot >= 0 ? dot : mantissa.Length) + exponent - (allDigits.Length - digits.Length);
        digits = digits.TrimEnd('0');
        string sign = d < 0 ? "-" : "";
        if (pointAt > -4 && pointAt <= 16)
        {
            if (pointAt <= 0) return sign + "0." + new string('0', -pointAt) + digits;
            if (pointAt >= digits.Length) return sign + digits + new string('0', pointAt - digits.Length) + ".0";
            return sign + digits[..pointAt] + "." + digits[pointAt..];
        }
        int e = pointAt - 1;
        string m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        return sign + m + "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", CultureInfo.InvariantCulture);
    }

    public static bool IsNumber(object? value) => value is bool or long or double;

    /// <summary>A number as a double (bool counts as int, as in Python).</summary>
    public static double AsDouble(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => throw new InvalidOperationException(),
    };

    /// <summary>An int (or bool) as a long; null when the value is not one.</summary>
    public static long? AsLong(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        _ => null,
    };

    /// <summary>Python's ==.</summary>
    public static bool Equal(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
            return AsLong(a) is long x && AsLong(b) is long y ? x == y : AsDouble(a) == AsDouble(b);
        return (a, b) switch
        {
            (null, null) => true,
            (string x, string y) => x == y,
            (Undefined, Undefined) => true,
            (JinjaSequence x, JinjaSequence y) => SameSequenceType(x, y) && x.Count == y.Count && x.Items.Zip(y.Items).All(p => Equal(p.First, p.Second)),
            (JinjaDict x, JinjaDict y) => x.Count == y.Count && x.Entries.All(e => y.TryGetValue(e.Key, out var v) && Equal(e.Value, v)),
            _ => ReferenceEquals(a, b),
        };
    }

    private static bool SameSequenceType(JinjaSequence x, JinjaSequence y) =>
        x.Kind == y.Kind && x.Kind is SequenceKind.List or SequenceKind.Tuple or SequenceKind.Range;

    public static int Hash(object? value) => value switch
    {
        null => 0,
        bool or long => AsLong(value)!.Value.GetHashCode(),
        double d => d == Math.Floor(d) && Math.Abs(d) < 9.2e18 ? ((long)d).GetHashCode() : d.GetHashCode(),
        string s => s.GetHashCode(StringComparison.Ordinal),
        JinjaSequence t => t.Items.Aggregate(17, (h, item) => HashCode.Combine(h, Hash(item))),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value),
    };

    /// <summary>Python's &lt; / &gt; ordering: numbers, strings (by code point) and lists/tuples lexicographically.</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (IsNumber(a) && IsNumber(b))
            return AsLong(a) is long x && AsLong(b) is long y ? x.CompareTo(y) : CompareDoubles(AsDouble(a), AsDouble(b), op);
        switch (a, b)
        {
            case (string x, string y):
                return string.CompareOrdinal(x, y);
            case (JinjaSequence x, JinjaSequence y) when x.Kind == y.Kind && x.Kind is SequenceKind.List or SequenceKind.Tuple:
                for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
                    if (!Equal(x[i], y[i])) return Compare(x[i], y[i], op);
                return x.Count.CompareTo(y.Count);
        }
        if (a is Undefined u) throw u.Fail();
        if (b is Undefined v) throw v.Fail();
        throw new JinjaRuntimeError($"TypeError: '{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    private static int CompareDoubles(double x, double y, string op) =>
        double.IsNaN(x) || double.IsNaN(y) ? (op is "<" or "<=" ? 1 : -1) : x.CompareTo(y);

    /// <summary>Iterating a value in a for loop or a filter: dicts yield keys, strings characters, Undefined nothing.</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        JinjaSequence s => s.Items,
        JinjaDict d => d.Keys.ToList(),
        string s => PythonText.Characters(s).Cast<object?>().ToList(),
        Undefined => [],
        _ => throw new JinjaRuntimeError($"TypeError: '{TypeName(value)}' object is not iterable"),
    };

    /// <summary>len(value).</summary>
    public static long Length(object? value) => value switch
    {
        string s => PythonText.Length(s),
        JinjaSequence { Kind: SequenceKind.Generator } => throw new JinjaRuntimeError("TypeError: object of type 'generator' has no len()"),
        JinjaSequence s => s.Count,
        JinjaDict d => d.Count,
        Undefined => 0,
        _ => throw new JinjaRuntimeError($"TypeError: object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>The "in" operator.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new JinjaRuntimeError($"TypeError: 'in <string>' requires string as left operand, not {TypeName(item)}"),
        JinjaDict d => d.ContainsKey(item),
        JinjaSequence { Kind: SequenceKind.DictItems or SequenceKind.DictKeys or SequenceKind.DictValues or SequenceKind.List or SequenceKind.Tuple or SequenceKind.Range or SequenceKind.Generator } s
            => s.Items.Any(x => Equal(x, item)),
        Undefined => false, // iterates as empty
        _ => throw new JinjaRuntimeError($"TypeError: argument of type '{TypeName(container)}' is not iterable"),
    };

    /// <summary>Converts a .NET value (string, bool, numbers, lists, dictionaries, JSON nodes) to a template value.</summary>
    public static object? FromClr(object? value) => value switch
    {
        null => null,
        string or bool or long or double or Undefined or JinjaSequence or JinjaDict or Namespace or JinjaCallable => value,
        int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong u => u <= long.MaxValue ? (object)(long)u : (double)u,
        float f => (double)f,
        decimal m => (double)m,
        BigInteger b => b >= long.MinValue && b <= long.MaxValue ? (object)(long)b : (double)b,
        System.Text.Json.Nodes.JsonNode node => FromJson(System.Text.Json.JsonSerializer.SerializeToElement(node)),
        System.Text.Json.JsonElement element => FromJson(element),
        System.Collections.IDictionary dict => FromDictionary(dict),
        System.Collections.IEnumerable items => new JinjaSequence(items.Cast<object?>().Select(FromClr).ToList()),
        _ => throw new ArgumentException($"A template variable cannot be a {value.GetType().Name}."),
    };

    private static JinjaDict FromDictionary(System.Collections.IDictionary dict)
    {
        var result = new JinjaDict();
        foreach (System.Collections.DictionaryEntry e in dict) result.Set(FromClr(e.Key), FromClr(e.Value));
        return result;
    }

    private static object? FromJson(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => e.GetString(),
        System.Text.Json.JsonValueKind.True => true,
        System.Text.Json.JsonValueKind.False => false,
        System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined => null,
        System.Text.Json.JsonValueKind.Number => e.TryGetInt64(out long l) ? (object)l : e.GetDouble(),
        System.Text.Json.JsonValueKind.Array => new JinjaSequence(e.EnumerateArray().Select(FromJson).ToList()),
        _ => DictOf(e.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, FromJson(p.Value)))),
    };

    /// <summary>A string built by a template, checked against the output limit.</summary>
    public static string Bounded(string s, int limit) =>
        s.Length <= limit ? s : throw new JinjaRuntimeError($"a string of {s.Length} characters exceeds the limit of {limit}", JinjaErrorKind.Limit);

    public static string Join(IEnumerable<object?> items, string separator, int limit)
    {
        var text = new StringBuilder();
        bool first = true;
        foreach (var item in items)
        {
            if (!first) text.Append(separator);
            first = false;
            text.Append(Str(item));
            if (text.Length > limit) Bounded(text.ToString(), limit);
        }
        return text.ToString();
    }
}
