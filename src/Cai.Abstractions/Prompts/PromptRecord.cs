using System.Text.Json.Serialization;
using Cai.Abstractions.Text;

namespace Cai.Abstractions.Prompts;

/// <summary>One prompt of a prompt set: a line of its JSONL file, <c>{"id", "prompt", "category", "kind"}</c>.</summary>
/// <param name="Id">Unique within the set; becomes the item id of every row derived from it.</param>
/// <param name="Prompt">The human's request: the last user turn's text when <paramref name="Conversation"/> is given.</param>
/// <param name="Category">Harm category or task type, if given.</param>
/// <param name="Kind">What the prompt asks for, if given: "red-team" or "helpful" in the toy world's files.</param>
/// <param name="Conversation">
/// The whole multi-turn conversation when the prompt set gives one (a <c>messages</c> list), ending with the user turn
/// whose text is <paramref name="Prompt"/>; null for a single user turn.
/// </param>
public sealed record PromptRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("category"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Category = null,
    [property: JsonPropertyName("kind"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Kind = null,
    [property: JsonPropertyName("conversation"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Conversation? Conversation = null)
{
    /// <summary>A prompt of one user turn (the constructor plugins built before <see cref="Conversation"/> call).</summary>
    /// <param name="id">Unique within the set.</param>
    /// <param name="prompt">The human's request.</param>
    /// <param name="category">Harm category or task type, if given.</param>
    /// <param name="kind">What the prompt asks for, if given.</param>
    public PromptRecord(string id, string prompt, string? category, string? kind) : this(id, prompt, category, kind, null) { }

    /// <summary>The conversation to answer: <see cref="Conversation"/>, or one user turn of <see cref="Prompt"/>.</summary>
    public Conversation Dialogue() => Conversation ?? Conversation.FromPrompt(Prompt);
}
