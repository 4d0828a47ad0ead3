using System.Text.Json.Nodes;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;

namespace Cai.Core.Prompts;

/// <summary>
/// How a stage's row carries the conversation its responses answer: "prompt" (the last user turn) always, and
/// "messages" (<c>[{"role", "content"}]</c>, as chat APIs and Hugging Face datasets write them) when the prompt is a
/// dialogue (<see cref="PromptRecord.Conversation"/>). Rows of one-turn prompts are unchanged. Later stages read the
/// conversation back with <see cref="Of"/>.
/// </summary>
public static class ConversationRows
{
    /// <summary>The row key of the dialogue.</summary>
    public const string Key = "messages";

    /// <summary><paramref name="row"/> with "messages" added when <paramref name="prompt"/> is a dialogue.</summary>
    public static JsonObject With(JsonObject row, PromptRecord prompt)
    {
        if (prompt.Conversation is { } conversation) row[Key] = ToJson(conversation);
        return row;
    }

    /// <summary>Copies "messages" from <paramref name="source"/> to <paramref name="row"/> where it has them.</summary>
    public static JsonObject CopyTo(JsonObject source, JsonObject row)
    {
        if (source[Key] is { } messages) row[Key] = messages.DeepClone();
        return row;
    }

    /// <summary>The conversation of a row: its "messages", else its "prompt" as one user turn.</summary>
    public static Conversation Of(JsonObject row) =>
        row[Key] is JsonArray messages ? FromJson(messages) : Conversation.FromPrompt((string)row["prompt"]!);

    /// <summary>A conversation as <c>[{"role", "content"}]</c> with the roles "system", "user" and "assistant".</summary>
    public static JsonArray ToJson(Conversation conversation) =>
        new([.. conversation.Turns.Select(t => (JsonNode)new JsonObject { ["role"] = RoleName(t.Role), ["content"] = t.Text })]);

    /// <summary>The conversation <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="FormatException">A message without a known role or a string content.</exception>
    public static Conversation FromJson(JsonArray messages) => new([.. messages.Select(m => new Turn(
        (string?)m?["role"] switch
        {
            "system" => Role.System,
            "user" => Role.User,
            "assistant" => Role.Assistant,
            var other => throw new FormatException($"a message's role must be system, user or assistant, not '{other}'"),
        },
        m?["content"] is JsonValue content && content.TryGetValue(out string? text)
            ? text
            : throw new FormatException("a message's content must be a string")))]);

    static string RoleName(Role role) => role switch
    {
        Role.System => "system",
        Role.User => "user",
        Role.Assistant => "assistant",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };
}
