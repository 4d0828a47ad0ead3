using System.Reflection;
using System.Text.Json;
using Cai.Abstractions.Plugins;

namespace Cai.Core.Recipes.Yaml;

/// <summary>The YAML-facing properties of an options or recipe record: one definition for the binder and the schema.</summary>
public static class OptionProperties
{
    public sealed record Property(string Key, PropertyInfo Info, bool Required, bool IsPath);

    public static string KeyOf(string propertyName) => JsonNamingPolicy.SnakeCaseLower.ConvertName(propertyName);

    /// <summary>Public settable instance properties, except <see cref="SourceMap"/> metadata.</summary>
    public static IReadOnlyList<Property> Of(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.PropertyType != typeof(SourceMap) && p.GetIndexParameters().Length == 0
                        && p.Name != "EqualityContract")
            .Select(p => new Property(KeyOf(p.Name), p, IsRequired(p), p.IsDefined(typeof(RecipePathAttribute))))
            .ToList();

    // By name: ScottPlot ships its own copy of RequiredMemberAttribute.
    static bool IsRequired(PropertyInfo p) =>
        p.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute");

    /// <summary>The property that receives the record's <see cref="SourceMap"/>, if it declares one.</summary>
    public static PropertyInfo? SourceMapOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p => p.PropertyType == typeof(SourceMap) && p.CanWrite);
}
