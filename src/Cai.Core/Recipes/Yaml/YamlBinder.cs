using System.Collections;
using System.Globalization;
using Cai.Abstractions.Input;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes.Yaml;

/// <summary>
/// Binds YAML nodes to records strictly: unknown keys, missing required keys, wrong types, nulls and empty strings
/// where a value is needed, and values outside a property's declared range are errors with file, line and column.
/// Keys are snake_case property names; defaults are the records' own initialisers. Problems are collected in
/// <see cref="Errors"/> (the first <see cref="MaxErrors"/>; the rest are counted in <see cref="More"/>) so one pass
/// reports all of them.
/// </summary>
public sealed class YamlBinder(YamlSource source)
{
    /// <summary>Most problems kept; a file of a million bad keys gives a short report, not a million lines.</summary>
    public const int MaxErrors = 200;

    readonly List<InputError> _errors = [];
    readonly HashSet<InputError> _seen = [];

    public IReadOnlyList<InputError> Errors => _errors;

    /// <summary>Problems counted beyond <see cref="MaxErrors"/>.</summary>
    public int More { get; private set; }

    public YamlSource Source => source;

    /// <summary>Adds an error located at <paramref name="node"/>.</summary>
    public void Error(YamlNode node, string message) => Error(source.Locate(node), message);

    public void Error(SourceLocation location, string message)
    {
        // A with: key shared by a stage and its plugins is checked by each: report it once.
        if (!_seen.Add(new InputError(location, message))) return;
        if (_errors.Count < MaxErrors) _errors.Add(new InputError(location, message));
        else More++;
    }

    /// <summary>Counts problems reported elsewhere and left out of a list.</summary>
    public void CountMore(int more) => More += more;

    /// <summary>Throws <see cref="InputException"/> listing the problems, if any.</summary>
    public void ThrowIfAny() => InputException.ThrowIfAny(_errors, More);

    public T? Bind<T>(YamlNode node) => (T?)Bind(typeof(T), node, isPath: false);

    public object? Bind(Type type, YamlNode node, bool isPath)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (node is YamlScalarNode nullNode && IsNull(nullNode)) return null;
        if (YamlTypes.Custom.TryGetValue(underlying, out var custom))
            return custom(this, node);
        if (typeof(YamlNode).IsAssignableFrom(underlying))
            return underlying.IsInstanceOfType(node) ? node : Fail(node, $"expected {YamlTypes.Describe(underlying)}, got a {Shape(node)}");
        if (YamlTypes.IsScalar(underlying))
            return node is YamlScalarNode scalar ? BindScalar(underlying, scalar, isPath) : Fail(node, $"expected {YamlTypes.Describe(underlying)}, got a {Shape(node)}");
        if (YamlTypes.DictionaryValueType(underlying) is { } valueType)
            return BindDictionary(valueType, node, isPath);
        if (YamlTypes.ListElementType(underlying) is { } elementType)
            return BindList(underlying, elementType, node, isPath);
        return BindObject(underlying, node);
    }

    /// <summary>Binds a mapping to a record; with <paramref name="ownsKey"/>, keys it rejects are skipped, not errors.</summary>
    public object? BindObject(Type type, YamlNode node, Func<string, bool>? ownsKey = null)
    {
        if (node is not YamlMappingNode mapping) return Fail(node, $"expected a mapping, got a {Shape(node)}");
        object instance = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type} needs a public parameterless constructor");
        var properties = OptionProperties.Of(type).ToDictionary(p => p.Key);
        var keys = new Dictionary<string, SourceLocation>();
        bool complete = true;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (KeyOf(keyNode) is not { } key) continue;
            if (ownsKey is not null && !ownsKey(key)) continue;
            if (!properties.TryGetValue(key, out var property))
            {
                Error(keyNode, $"unknown key {InputError.Quote(key)} (expected: {string.Join(", ", properties.Keys)})");
                continue;
            }
            keys[key] = source.Locate(valueNode);
            int before = _errors.Count + More;
            object? value = Bind(property.Info.PropertyType, valueNode, property.IsPath);
            if (_errors.Count + More > before) // already reported inside the value: its rules would only repeat it
            {
                complete = false;
                continue;
            }
            if (value is null)
            {
                if (IsNull(valueNode) && !property.AllowsNull)
                    Error(valueNode, $"'{key}' needs {YamlTypes.Describe(property.Info.PropertyType)}, got null");
                if (!property.AllowsNull) complete = false;
                continue;
            }
            if (OptionProperties.Check(property, value) is { } problem)
            {
                Error(valueNode, $"'{key}' {problem}");
                complete = false;
                continue;
            }
            property.Info.SetValue(instance, value);
        }
        foreach (var missing in properties.Values.Where(p => p.Required && !keys.ContainsKey(p.Key)))
        {
            Error(node, $"missing required key '{missing.Key}'");
            complete = false;
        }
        var map = new SourceMap(source.Locate(node), keys);
        OptionProperties.SourceMapOf(type)?.SetValue(instance, map);
        if (complete)
            foreach (var (property, problem) in OptionProperties.CheckObject(instance))
                if (property is null) Error(map.Location, problem);
                else Error(map.Of(OptionProperties.KeyOf(property)), $"'{OptionProperties.KeyOf(property)}' {problem}");
        return instance;
    }

    /// <summary>The text of a mapping key; a key that is a mapping or sequence is an error.</summary>
    public string? KeyOf(YamlNode keyNode)
    {
        if (keyNode is YamlScalarNode { Value: var text }) return text ?? "";
        Error(keyNode, $"expected a key (plain text), got a {Shape(keyNode)}");
        return null;
    }

    object? BindScalar(Type type, YamlScalarNode node, bool isPath)
    {
        string text = node.Value ?? "";
        if (type == typeof(string))
        {
            if (string.IsNullOrWhiteSpace(text)) return Fail(node, "expected a non-empty string");
            if (text.Contains('\0')) return Fail(node, $"expected text without NUL characters, got {InputError.Quote(text)}");
            return isPath ? source.ResolvePath(node, text) : text;
        }
        object? Invalid(string expected) => Fail(node, $"expected {expected}, got {InputError.Quote(text)}");
        const NumberStyles integer = NumberStyles.AllowLeadingSign;
        var culture = CultureInfo.InvariantCulture;
        if (type == typeof(bool))
            return text switch { "true" => true, "false" => false, _ => Invalid("true or false") };
        if (type == typeof(int))
            return int.TryParse(text, integer, culture, out int i) ? i : Invalid("an integer");
        if (type == typeof(long))
            return long.TryParse(text, integer, culture, out long l) ? l : Invalid("an integer");
        if (type == typeof(double))
            return double.TryParse(text, NumberStyles.Float, culture, out double d) && double.IsFinite(d) ? d : Invalid("a finite number");
        if (type == typeof(float))
            return float.TryParse(text, NumberStyles.Float, culture, out float f) && float.IsFinite(f) ? f : Invalid("a finite number");
        // enums
        var names = YamlTypes.EnumNames(type);
        int index = Array.IndexOf(names, text);
        return index >= 0 ? Enum.GetValues(type).GetValue(index) : Invalid($"one of {string.Join(", ", names)}");
    }

    object? BindDictionary(Type valueType, YamlNode node, bool isPath)
    {
        if (node is not YamlMappingNode mapping) return Fail(node, $"expected a mapping, got a {Shape(node)}");
        var result = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (KeyOf(keyNode) is not { } key) continue;
            if (string.IsNullOrWhiteSpace(key)) Error(keyNode, "expected a non-empty key");
            else if (Bind(valueType, value, isPath) is { } bound) result[key] = bound;
            else if (IsNull(value)) Error(value, $"'{key}' needs {YamlTypes.Describe(valueType)}, got null");
        }
        return result;
    }

    object? BindList(Type listType, Type elementType, YamlNode node, bool isPath)
    {
        if (node is not YamlSequenceNode sequence) return Fail(node, $"expected a sequence, got a {Shape(node)}");
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        foreach (var item in sequence.Children)
        {
            if (Bind(elementType, item, isPath) is { } bound) list.Add(bound);
            else if (IsNull(item)) Error(item, $"expected {YamlTypes.Describe(elementType)}, got null");
        }
        if (!listType.IsArray) return list;
        var array = Array.CreateInstance(elementType, list.Count);
        list.CopyTo(array, 0);
        return array;
    }

    object? Fail(YamlNode node, string message)
    {
        Error(node, message);
        return null;
    }

    static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar && scalar.Value is null or "" or "~" or "null";

    static string Shape(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "sequence",
        _ => "scalar",
    };
}
