using System.Text.Json.Serialization;
using Cai.Abstractions.Text;

namespace Cai.Abstractions.Prompts;

/// <summary>
/// One prompt of a prompt set: a line of its JSONL file, <c>{"id", "prompt", "category", "kind"}</c>, or a dialogue of
/// several turns read from a conversation format (<see cref="Conversation"/>).
/// </summary>
/// <param name="Id">Unique within the set; becomes the item id of every row derived from it.</param>
/// <param name="Prompt">The human's request: for a dialogue, its last user turn.</param>
/// <param name="Category">Harm category or task type, if given.</param>
/// <param name="Kind">What the prompt asks for, if given: "red-team" or "helpful" in the toy world's files.</param>
/// <param name="Conversation">The dialogue the assistant answers (system, user and assistant turns, ending with a user
/// turn, or with an assistant turn to continue), or null when the prompt is one user turn. Set by the readers of
/// conversation formats; not a column of the prompt file.</param>
public sealed record PromptRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("category"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Category = null,
    [property: JsonPropertyName("kind"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Kind = null,
    [property: JsonIgnore] Conversation? Conversation = null)
{
    /// <summary>What the policy answers: <see cref="Conversation"/>, or <see cref="Prompt"/> as one user turn.</summary>
    public Conversation AsConversation() => Conversation ?? Text.Conversation.FromPrompt(Prompt);
}
