using System.Text.Json.Serialization;

namespace Cai.Abstractions.Prompts;

/// <summary>One prompt of a prompt set: a line of its JSONL file, <c>{"id", "prompt", "category", "kind"}</c>.</summary>
/// <param name="Id">Unique within the set; becomes the item id of every row derived from it.</param>
/// <param name="Prompt">The human's request.</param>
/// <param name="Category">Harm category or task type, if given.</param>
/// <param name="Kind">What the prompt asks for, if given: "red-team" or "helpful" in the toy world's files.</param>
public sealed record PromptRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("category"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Category = null,
    [property: JsonPropertyName("kind"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Kind = null);
