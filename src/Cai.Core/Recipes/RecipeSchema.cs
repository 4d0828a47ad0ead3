using System.Text.Json;
using System.Text.Json.Nodes;
using System.ComponentModel.DataAnnotations;
using Cai.Core.Plugins;
using Cai.Core.Pipeline;
using Cai.Core.Recipes.Yaml;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>
/// JSON Schema (2020-12) of recipes, generated from the same records the binder uses: property names, types,
/// descriptions (XML doc comments) and defaults (initialisers) have one source.
/// </summary>
public static class RecipeSchema
{
    public static JsonObject Generate(IEnumerable<PluginDescriptor> plugins, StageRegistry stages)
    {
        var defs = new JsonObject();
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://caiframework.local/schemas/recipe.json",
            ["title"] = "CaiFramework recipe",
        };
        foreach (var (key, value) in ObjectSchema(typeof(Recipe), defs)) schema[key] = value?.DeepClone();
        foreach (var kind in stages.All)
            defs[kind.OptionsType.Name] = ObjectSchema(kind.OptionsType, defs, $"with: of a {kind.Name} stage. {kind.Description}");
        foreach (var plugin in plugins.Where(p => p.OptionsType is not null).OrderBy(p => p.Kind).ThenBy(p => p.Name))
            defs[$"{plugin.Kind.Key()}:{plugin.Name}"] = ObjectSchema(plugin.OptionsType!, defs,
                $"with: keys of the {plugin.Kind.Key()} plugin '{plugin.Name}' ({Path.GetFileName(plugin.Assembly.Path)}).");
        var stage = (JsonObject)defs[nameof(StageSpec)]!;
        ((JsonObject)stage["properties"]!)["use"] = new JsonObject
        {
            ["description"] = XmlDocs.Of(typeof(StageSpec).GetProperty(nameof(StageSpec.Use))!),
            ["enum"] = new JsonArray(stages.All.Select(k => (JsonNode)k.Name).ToArray()),
        };
        stage["allOf"] = new JsonArray(stages.All.Select(k => (JsonNode)new JsonObject
        {
            ["if"] = new JsonObject { ["properties"] = new JsonObject { ["use"] = new JsonObject { ["const"] = k.Name } } },
            ["then"] = new JsonObject { ["properties"] = new JsonObject { ["with"] = WithSchema(k, defs) } },
        }).ToArray());
        schema["$defs"] = defs;
        return schema;
    }

    // Stages with plugins also accept their plugins' keys, which depend on the plugin named.
    static JsonObject WithSchema(StageKind kind, JsonObject defs)
    {
        var own = (JsonObject)defs[kind.OptionsType.Name]!.DeepClone();
        if (kind.Plugins.Count > 0) own["additionalProperties"] = true;
        return own;
    }

    static JsonObject ObjectSchema(Type type, JsonObject defs, string? description = null)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        object? defaults = TryCreate(type);
        foreach (var property in OptionProperties.Of(type))
        {
            var schema = TypeSchema(property.Info.PropertyType, defs);
            if (XmlDocs.Of(property.Info) is { } doc) schema["description"] = doc;
            foreach (var rule in property.Rules) AddRule(schema, rule);
            if (property.Required) required.Add(property.Key);
            else if (defaults is not null && property.Info.GetValue(defaults) is { } value && value is not YamlNode)
                schema["default"] = DefaultOf(value);
            properties[property.Key] = schema;
        }
        var result = new JsonObject { ["type"] = "object" };
        if ((description ?? XmlDocs.Of(type)) is { } text) result["description"] = text;
        result["properties"] = properties;
        if (required.Count > 0) result["required"] = required;
        result["additionalProperties"] = false;
        return result;
    }

    /// <summary>A property's declared valid values as JSON Schema keywords: minimum/maximum (exclusive ones too), enum, pattern,
    /// minItems.</summary>
    static void AddRule(JsonObject schema, ValidationAttribute rule)
    {
        switch (rule)
        {
            case RangeAttribute range:
                var (min, max) = OptionProperties.Bounds(range);
                if (min is { } low) schema[range.MinimumIsExclusive ? "exclusiveMinimum" : "minimum"] = Number(low);
                if (max is { } high) schema[range.MaximumIsExclusive ? "exclusiveMaximum" : "maximum"] = Number(high);
                break;
            case AllowedValuesAttribute allowed:
                schema["enum"] = new JsonArray(allowed.Values.Select(v => JsonValue.Create(v?.ToString())).ToArray<JsonNode?>());
                break;
            case RegularExpressionAttribute pattern:
                schema["pattern"] = pattern.Pattern;
                break;
            case MinLengthAttribute length:
                schema["minItems"] = length.Length;
                break;
        }
    }

    static JsonNode Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? JsonValue.Create((long)value) : JsonValue.Create(value);

    static JsonObject TypeSchema(Type type, JsonObject defs)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return new() { ["type"] = "string" };
        if (type == typeof(bool)) return new() { ["type"] = "boolean" };
        if (type == typeof(int) || type == typeof(long)) return new() { ["type"] = "integer" };
        if (type == typeof(double) || type == typeof(float)) return new() { ["type"] = "number" };
        if (type.IsEnum) return new() { ["type"] = "string", ["enum"] = new JsonArray(YamlTypes.EnumNames(type).Select(n => (JsonNode)n).ToArray()) };
        if (type == typeof(YamlMappingNode)) return new() { ["type"] = "object" };
        if (type == typeof(Device)) return new() { ["type"] = "string", ["pattern"] = "^(auto|cpu|cuda(:[0-9]{1,5})?)$" };
        if (YamlTypes.DictionaryValueType(type) is { } value) return new() { ["type"] = "object", ["additionalProperties"] = TypeSchema(value, defs) };
        if (YamlTypes.ListElementType(type) is { } element) return new() { ["type"] = "array", ["items"] = TypeSchema(element, defs) };
        if (type == typeof(PromptSetSource))
            return new() { ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string", ["description"] = "the prompt file" }, Ref(typeof(PromptSetSource), defs)) };
        if (type == typeof(ModelSource))
        {
            var one = new JsonArray(new JsonObject { ["type"] = "string", ["description"] = "another role, e.g. policy" }, Ref(typeof(ModelPath), defs),
                Ref(typeof(RemoteModel), defs));
            return new()
            {
                ["description"] = XmlDocs.Of(type),
                ["oneOf"] = new JsonArray([.. one.Select(o => o!.DeepClone()), new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["oneOf"] = one } }]),
            };
        }
        return Ref(type, defs);
    }

    static JsonObject Ref(Type type, JsonObject defs)
    {
        if (!defs.ContainsKey(type.Name))
        {
            defs[type.Name] = new JsonObject(); // placeholder against recursion
            defs[type.Name] = ObjectSchema(type, defs);
        }
        return new() { ["$ref"] = $"#/$defs/{type.Name}" };
    }

    static object? TryCreate(Type type)
    {
        try { return Activator.CreateInstance(type); }
        catch (MissingMethodException) { return null; }
    }

    static JsonNode? DefaultOf(object value) =>
        value is Enum member ? JsonValue.Create(YamlTypes.EnumName(member)) : JsonSerializer.SerializeToNode(value);
}
