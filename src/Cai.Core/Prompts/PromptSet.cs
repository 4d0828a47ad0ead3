using System.Text.Json;
using Cai.Core.Recipes;
using Cai.Core.Recipes.Yaml;
using Cai.Abstractions.Input;
using Cai.Abstractions.Prompts;

namespace Cai.Core.Prompts;

/// <summary>A named set of prompts read from JSONL: {"id", "prompt"} and optionally {"category", "kind"}.</summary>
/// <param name="Name">Its name under the recipe's prompts:.</param>
/// <param name="Path">The file.</param>
/// <param name="Kind">What it is for (declared, or from its name).</param>
/// <param name="Prompts">Its prompts in file order.</param>
public sealed record PromptSet(string Name, string Path, PromptSetKind Kind, IReadOnlyList<PromptRecord> Prompts)
{
    static readonly HashSet<string> _known = ["id", "prompt", "category", "kind"];

    /// <summary>Longest line of a prompt file.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>Most prompts in a set.</summary>
    public const int MaxPrompts = 1_000_000;

    /// <summary>Largest prompt file.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>
    /// Reads a prompt set line by line (a regular file, strict UTF-8, lines of at most <see cref="MaxLineBytes"/>);
    /// throws <see cref="InputException"/> naming file, line and column of every bad line (the first
    /// <see cref="YamlBinder.MaxErrors"/>, after which it stops reading).
    /// </summary>
    public static PromptSet Load(string name, string path, PromptSetKind? kind = null)
    {
        var errors = new List<InputError>();
        int more = 0;
        void Error(SourceLocation at, string message)
        {
            if (errors.Count < YamlBinder.MaxErrors) errors.Add(new(at, message));
            else more++;
        }
        var prompts = new List<PromptRecord>();
        var ids = new HashSet<string>();
        foreach (var (lineNumber, line) in InputFile.ReadLines(path, MaxFileBytes, MaxLineBytes))
        {
            if (errors.Count >= YamlBinder.MaxErrors)
            {
                more++; // a file of nothing but bad lines (the wrong file): stop reading, do not count them all
                break;
            }
            if (string.IsNullOrWhiteSpace(line)) continue;
            var location = new SourceLocation(path, lineNumber, 1);
            if (prompts.Count >= MaxPrompts) throw new InputException(location, $"more than {MaxPrompts} prompts");
            JsonDocument json;
            try { json = JsonDocument.Parse(line); }
            catch (JsonException e)
            {
                Error(new SourceLocation(path, lineNumber, (int)(e.BytePositionInLine ?? 0) + 1), $"invalid JSON: {JsonError(e)}");
                continue;
            }
            using (json)
            {
                if (json.RootElement.ValueKind != JsonValueKind.Object)
                {
                    Error(location, "expected a JSON object {\"id\": ..., \"prompt\": ...}");
                    continue;
                }
                foreach (var property in json.RootElement.EnumerateObject().Where(p => !_known.Contains(p.Name)))
                    Error(location, $"unknown key {InputError.Quote(property.Name)} (expected: id, prompt, category, kind)");
                string? id = Text(json.RootElement, "id", location, Error, required: true);
                string? prompt = Text(json.RootElement, "prompt", location, Error, required: true);
                if (id is null || prompt is null) continue;
                if (!ids.Add(id)) Error(location, $"duplicate id {InputError.Quote(id)}");
                string? category = Text(json.RootElement, "category", location, Error), promptKind = Text(json.RootElement, "kind", location, Error);
                prompts.Add(new PromptRecord(id, prompt, category, promptKind));
            }
        }
        if (prompts.Count == 0 && errors.Count == 0)
            Error(new SourceLocation(path), "the prompt set is empty: expected one JSON object per line");
        InputException.ThrowIfAny(errors, more);
        return new PromptSet(name, path, kind ?? PromptSetKinds.FromName(name), prompts);
    }

    /// <summary>A System.Text.Json message without its position suffix (the location carries it).</summary>
    static string JsonError(JsonException e)
    {
        string message = e.Message;
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at > 0 ? message[..at] : message).Replace(" Path: $ |", "").TrimEnd(' ', '|', '.');
    }

    static string? Text(JsonElement obj, string key, SourceLocation location, Action<SourceLocation, string> error, bool required = false)
    {
        if (!obj.TryGetProperty(key, out var value))
        {
            if (required) error(location, $"missing required key '{key}'");
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && !string.IsNullOrWhiteSpace(text)) return text;
        error(location, $"'{key}' must be a non-empty string");
        return null;
    }
}
