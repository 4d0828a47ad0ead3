using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes.Yaml;

/// <summary>How CLR types map onto YAML (and JSON Schema) shapes: shared by the binder and the schema writer.</summary>
public static class YamlTypes
{
    /// <summary>Types with their own YAML shape, e.g. a model given as a role name, a {path} mapping or a list.</summary>
    public static readonly Dictionary<Type, Func<YamlBinder, YamlNode, object?>> Custom = new()
    {
        [typeof(ModelSource)] = ModelSource.Bind,
        [typeof(Device)] = Device.Bind,
        [typeof(PromptSetSource)] = PromptSetSource.Bind,
    };

    public static bool IsScalar(Type type) =>
        type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long)
        || type == typeof(double) || type == typeof(float) || type.IsEnum;

    /// <summary>Enum values as written in YAML: kebab-case of the member names, in declaration order.</summary>
    public static string[] EnumNames(Type type) =>
        Enum.GetNames(type).Select(JsonNamingPolicy.KebabCaseLower.ConvertName).ToArray();

    /// <summary>One enum value as written in YAML (and in rows and reports): its member name in kebab-case.</summary>
    public static string EnumName(Enum value) => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    public static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string)
        && (type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            ? value : null;

    public static Type? ListElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(IReadOnlyList<>) || definition == typeof(List<>) || definition == typeof(IList<>)
               || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>)
            ? type.GetGenericArguments()[0] : null;
    }

    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type.IsEnum) return "one of " + string.Join(", ", EnumNames(type));
        if (type == typeof(Device)) return $"a device ({Device.Expected})";
        if (type == typeof(PromptSetSource)) return "a prompt file or a mapping { path, kind }";
        if (type == typeof(YamlMappingNode) || DictionaryValueType(type) is not null) return "a mapping";
        if (ListElementType(type) is not null) return "a sequence";
        return "a mapping";
    }
}
