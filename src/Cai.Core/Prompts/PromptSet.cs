using System.Text.Json;
using Cai.Core.Recipes;
using Cai.Core.Recipes.Yaml;

namespace Cai.Core.Prompts;

/// <summary>A named set of prompts read from JSONL: {"id", "prompt"} and optionally {"category", "kind"}.</summary>
public sealed record PromptSet(string Name, string Path, IReadOnlyList<PromptRecord> Prompts)
{
    static readonly HashSet<string> Known = ["id", "prompt", "category", "kind"];

    /// <summary>Reads a prompt set; throws <see cref="RecipeException"/> naming file and line of every bad line.</summary>
    public static PromptSet Load(string name, string path)
    {
        var errors = new List<RecipeError>();
        var prompts = new List<PromptRecord>();
        var ids = new HashSet<string>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var location = new SourceLocation(path, lineNumber, 1);
            try
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.ValueKind != JsonValueKind.Object) { errors.Add(new(location, "expected a JSON object")); continue; }
                foreach (var property in json.RootElement.EnumerateObject().Where(p => !Known.Contains(p.Name)))
                    errors.Add(new(location, $"unknown key '{property.Name}' (expected: id, prompt, category, kind)"));
                string? id = Text(json.RootElement, "id", location, errors, required: true);
                string? prompt = Text(json.RootElement, "prompt", location, errors, required: true);
                if (id is null || prompt is null) continue;
                if (!ids.Add(id)) errors.Add(new(location, $"duplicate id '{id}'"));
                prompts.Add(new PromptRecord(id, prompt, Text(json.RootElement, "category", location, errors), Text(json.RootElement, "kind", location, errors)));
            }
            catch (JsonException e)
            {
                errors.Add(new(location, $"invalid JSON: {e.Message}"));
            }
        }
        if (prompts.Count == 0 && errors.Count == 0) errors.Add(new(new SourceLocation(path, 1, 1), "the prompt set is empty"));
        RecipeException.ThrowIfAny(errors);
        return new PromptSet(name, path, prompts);
    }

    static string? Text(JsonElement obj, string key, SourceLocation location, List<RecipeError> errors, bool required = false)
    {
        if (!obj.TryGetProperty(key, out var value))
        {
            if (required) errors.Add(new(location, $"missing required key '{key}'"));
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text) return text;
        errors.Add(new(location, $"'{key}' must be a non-empty string"));
        return null;
    }
}
