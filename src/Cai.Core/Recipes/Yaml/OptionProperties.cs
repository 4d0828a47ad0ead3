using System.Reflection;
using System.Text.Json;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cai.Abstractions.Plugins;

namespace Cai.Core.Recipes.Yaml;

/// <summary>
/// The YAML-facing properties of an options or recipe record: one definition for the binder, the schema and the
/// command line. A property's valid values are declared on it with DataAnnotations (<see cref="RangeAttribute"/>,
/// <see cref="RegularExpressionAttribute"/>, <see cref="AllowedValuesAttribute"/>); rules across properties come from
/// the record's <see cref="IValidatableObject"/>.
/// </summary>
public static class OptionProperties
{
    /// <param name="Key">The snake_case key.</param>
    /// <param name="Info">The property.</param>
    /// <param name="Required">Declared <c>required</c>.</param>
    /// <param name="IsPath">A <see cref="RecipePathAttribute"/> path.</param>
    /// <param name="AllowsNull">Its type admits null (a nullable value type or a nullable reference).</param>
    /// <param name="Rules">Its validation attributes.</param>
    public sealed record Property(string Key, PropertyInfo Info, bool Required, bool IsPath, bool AllowsNull,
        IReadOnlyList<ValidationAttribute> Rules);

    public static string KeyOf(string propertyName) => JsonNamingPolicy.SnakeCaseLower.ConvertName(propertyName);

    /// <summary>Public settable instance properties, except <see cref="SourceMap"/> metadata.</summary>
    public static IReadOnlyList<Property> Of(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.PropertyType != typeof(SourceMap) && p.GetIndexParameters().Length == 0
                        && p.Name != "EqualityContract")
            .Select(p => new Property(KeyOf(p.Name), p, IsRequired(p), p.IsDefined(typeof(RecipePathAttribute)), AllowsNull(p),
                p.GetCustomAttributes<ValidationAttribute>(inherit: true).ToList()))
            .ToList();

    // By name: ScottPlot ships its own copy of RequiredMemberAttribute.
    static bool IsRequired(PropertyInfo p) =>
        p.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute");

    static bool AllowsNull(PropertyInfo p) =>
        p.PropertyType.IsValueType ? Nullable.GetUnderlyingType(p.PropertyType) is not null
                                   // NullabilityInfoContext is not thread-safe: one per call.
                                   : new NullabilityInfoContext().Create(p).WriteState != NullabilityState.NotNull;

    /// <summary>The property that receives the record's <see cref="SourceMap"/>, if it declares one.</summary>
    public static PropertyInfo? SourceMapOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p => p.PropertyType == typeof(SourceMap) && p.CanWrite);

    /// <summary>What is wrong with <paramref name="value"/> as the value of <paramref name="property"/>, or null when it is
    /// valid.</summary>
    public static string? Check(Property property, object? value)
    {
        if (value is double d && !double.IsFinite(d) || value is float f && !float.IsFinite(f))
            return $"must be a finite number, got {Show(value)}";
        foreach (var rule in property.Rules)
            if (!rule.IsValid(value))
                return $"{(rule.ErrorMessage is { } custom && !custom.Contains("{0}") ? custom : Describe(rule))}, got {Show(value)}";
        return null;
    }

    /// <summary>Problems across properties, from the record's <see cref="IValidatableObject"/>: each with the property it names
    /// first.</summary>
    public static IEnumerable<(string? Property, string Message)> CheckObject(object instance) =>
        instance is IValidatableObject validatable
            ? validatable.Validate(new ValidationContext(instance))
                .Select(r => (r.MemberNames.FirstOrDefault(), r.ErrorMessage ?? "is invalid"))
            : [];

    /// <summary>The rule in words: "must be in (0, 1]", "must be at least 1", "must be one of all, last", ...</summary>
    public static string Describe(ValidationAttribute rule) => rule switch
    {
        RangeAttribute range => Bounds(range) switch
        {
            (null, null) => "must be a number",
            ({ } min, null) => $"must be {(range.MinimumIsExclusive ? "greater than" : "at least")} {Number(min)}",
            (null, { } max) => $"must be {(range.MaximumIsExclusive ? "less than" : "at most")} {Number(max)}",
            ({ } min, { } max) =>
                $"must be in {(range.MinimumIsExclusive ? "(" : "[")}{Number(min)}, {Number(max)}{(range.MaximumIsExclusive ? ")" : "]")}",
        },
        MinLengthAttribute length => $"must have at least {length.Length} {(length.Length == 1 ? "entry" : "entries")}",
        AllowedValuesAttribute allowed => $"must be one of {string.Join(", ", allowed.Values.OfType<object>())}",
        RegularExpressionAttribute pattern => $"must match {pattern.Pattern}",
        _ => "is invalid",
    };

    /// <summary>The finite bounds of a range (null where it is unbounded: infinity or the type's largest value).</summary>
    public static (double? Min, double? Max) Bounds(RangeAttribute range)
    {
        double min = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
        double max = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
        bool Unbounded(double v) => !double.IsFinite(v) || Math.Abs(v) >= int.MaxValue && range.OperandType == typeof(int)
            || Math.Abs(v) >= double.MaxValue;
        return (Unbounded(min) ? null : min, Unbounded(max) ? null : max);
    }

    static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    static string Show(object? value) => value switch
    {
        null => "null",
        string s => Cai.Abstractions.Input.InputError.Quote(s),
        System.Collections.ICollection c => $"{c.Count} {(c.Count == 1 ? "entry" : "entries")}",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
