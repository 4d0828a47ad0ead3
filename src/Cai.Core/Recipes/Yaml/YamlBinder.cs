using System.Collections;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes.Yaml;

/// <summary>
/// Binds YAML nodes to records strictly: unknown keys, missing required keys and wrong types are errors with
/// file, line and column. Keys are snake_case property names; defaults are the records' own initialisers.
/// Problems are collected in <see cref="Errors"/> so one pass reports all of them.
/// </summary>
public sealed class YamlBinder(YamlSource source)
{
    readonly List<RecipeError> errors = [];

    public IReadOnlyList<RecipeError> Errors => errors;

    public YamlSource Source => source;

    /// <summary>Adds an error located at <paramref name="node"/>.</summary>
    public void Error(YamlNode node, string message) => errors.Add(new RecipeError(source.Locate(node), message));

    public void Error(SourceLocation location, string message) => errors.Add(new RecipeError(location, message));

    public T? Bind<T>(YamlNode node) => (T?)Bind(typeof(T), node, isPath: false);

    public object? Bind(Type type, YamlNode node, bool isPath)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (node is YamlScalarNode nullNode && IsNull(nullNode))
        {
            if (!type.IsValueType || Nullable.GetUnderlyingType(type) is not null) return null;
            Error(node, $"expected {YamlTypes.Describe(type)}, got null");
            return null;
        }
        if (YamlTypes.Custom.TryGetValue(underlying, out var custom))
            return custom(this, node);
        if (typeof(YamlNode).IsAssignableFrom(underlying))
            return underlying.IsInstanceOfType(node) ? node : Fail(node, $"expected {YamlTypes.Describe(underlying)}");
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
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            if (ownsKey is not null && !ownsKey(key)) continue;
            if (!properties.TryGetValue(key, out var property))
            {
                Error(keyNode, $"unknown key '{key}' (expected: {string.Join(", ", properties.Keys)})");
                continue;
            }
            keys[key] = source.Locate(valueNode);
            object? value = Bind(property.Info.PropertyType, valueNode, property.IsPath);
            if (value is not null) property.Info.SetValue(instance, value);
        }
        foreach (var missing in properties.Values.Where(p => p.Required && !keys.ContainsKey(p.Key)))
            Error(node, $"missing required key '{missing.Key}'");
        OptionProperties.SourceMapOf(type)?.SetValue(instance, new SourceMap(source.Locate(node), keys));
        return instance;
    }

    object? BindScalar(Type type, YamlScalarNode node, bool isPath)
    {
        string text = node.Value ?? "";
        if (type == typeof(string)) return isPath ? source.ResolvePath(node, text) : text;
        if (type == typeof(bool))
            return text switch { "true" => true, "false" => false, _ => Fail(node, $"expected true or false, got '{text}'") };
        if (type == typeof(int))
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : Fail(node, $"expected an integer, got '{text}'");
        if (type == typeof(long))
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : Fail(node, $"expected an integer, got '{text}'");
        if (type == typeof(double))
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : Fail(node, $"expected a number, got '{text}'");
        if (type == typeof(float))
            return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) ? f : Fail(node, $"expected a number, got '{text}'");
        // enums
        var names = YamlTypes.EnumNames(type);
        int index = Array.IndexOf(names, text);
        return index >= 0 ? Enum.GetValues(type).GetValue(index) : Fail(node, $"expected one of {string.Join(", ", names)}, got '{text}'");
    }

    object? BindDictionary(Type valueType, YamlNode node, bool isPath)
    {
        if (node is not YamlMappingNode mapping) return Fail(node, $"expected a mapping, got a {Shape(node)}");
        var result = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
        foreach (var (key, value) in mapping.Children)
            result[((YamlScalarNode)key).Value ?? ""] = Bind(valueType, value, isPath);
        return result;
    }

    object? BindList(Type listType, Type elementType, YamlNode node, bool isPath)
    {
        if (node is not YamlSequenceNode sequence) return Fail(node, $"expected a sequence, got a {Shape(node)}");
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        foreach (var item in sequence.Children) list.Add(Bind(elementType, item, isPath));
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

    static bool IsNull(YamlScalarNode node) =>
        node.Style == YamlDotNet.Core.ScalarStyle.Plain && node.Value is null or "" or "~" or "null";

    static string Shape(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "sequence",
        _ => "scalar",
    };
}
