using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cai.Sandbox.IO;

namespace Cai.Sandbox.Prompts;

/// <summary>A line of a prompt file: {"id", "prompt", "category", "kind"}.</summary>
public sealed record WorldPromptRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("kind")] string Kind)
{
    public static WorldPromptRecord From(string id, WorldPrompt prompt) => new(id, prompt.Text, prompt.Category, prompt.Kind.Id());

    /// <summary>The prompt read back with the world's grammar; its category and kind must agree with the record.</summary>
    public WorldPrompt ToWorldPrompt()
    {
        var parsed = PromptParser.Parse(Prompt);
        if (parsed.Category != Category || parsed.Kind.Id() != Kind)
            throw new FormatException($"Prompt {Id}: the world reads it as {parsed.Kind.Id()}/{parsed.Category}, the file says {Kind}/{Category}.");
        return parsed;
    }

    public static IReadOnlyList<WorldPromptRecord> ReadJsonl(string path) =>
        File.ReadLines(path).Select((line, i) => (line, i)).Where(x => x.line.Trim().Length > 0)
            .Select(x => JsonSerializer.Deserialize<WorldPromptRecord>(x.line)
                         ?? throw new FormatException($"{path}:{x.i + 1}: empty record."))
            .ToList();

    public static void WriteJsonl(string path, IEnumerable<WorldPromptRecord> records)
    {
        var text = new StringBuilder();
        var options = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var record in records) text.Append(JsonSerializer.Serialize(record, options)).Append('\n');
        AtomicText.Write(path, text.ToString());
    }
}
