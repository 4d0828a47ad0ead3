using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Models.Chat;

namespace Cai.Models.Tokenization;

/// <summary>
/// How a conversation becomes model text. The default is the CAI paper's: "\n\nHuman: {text}" and
/// "\n\nAssistant: {text}" turns, ending with the cue "\n\nAssistant:"; generation stops at "\n\nHuman:".
/// Stored in tokenizer_config.json under "cai_chat_format"; the built-in chat template "human-assistant" renders the
/// same text.
/// </summary>
/// <param name="TurnSeparator">Text before every turn.</param>
/// <param name="HumanPrefix">Role prefix of human turns.</param>
/// <param name="AssistantPrefix">Role prefix of assistant turns.</param>
public sealed record ChatFormat(string TurnSeparator = "\n\n", string HumanPrefix = "Human:", string AssistantPrefix = "Assistant:")
    : IChatFormat
{
    /// <summary>The tokenizer_config.json key this format is stored under.</summary>
    public const string ConfigKey = "cai_chat_format";

    /// <summary>The CAI paper's Human/Assistant format.</summary>
    public static ChatFormat Default { get; } = new();

    /// <summary>The name of the built-in chat template that renders <see cref="Default"/>.</summary>
    public const string BuiltInName = "human-assistant";

    /// <inheritdoc />
    public string Name => this == Default ? BuiltInName : ConfigKey;

    /// <summary>Strings at which generation of an assistant turn stops.</summary>
    public IReadOnlyList<string> StopStrings => [TurnSeparator + HumanPrefix];

    /// <summary>
    /// The conversation followed by the assistant cue; the model's reply continues it. A system turn comes first as
    /// plain text; a final assistant turn is left open (no cue), so the model continues it.
    /// </summary>
    public string Render(Conversation conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        if (conversation.Turns.Count == 0) throw new ArgumentException("Cannot render an empty conversation.", nameof(conversation));
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < conversation.Turns.Count; i++)
        {
            var turn = conversation.Turns[i];
            if (turn.Role == Role.System)
            {
                if (i != 0) throw new ArgumentException("A system turn can only come first.", nameof(conversation));
                text.Append(turn.Text);
            }
            else text.Append(TurnSeparator).Append(Prefix(turn.Role)).Append(RenderResponse(turn.Text));
        }
        return conversation.Turns[^1].Role == Role.Assistant ? text.ToString() : text.Append(TurnSeparator).Append(AssistantPrefix).ToString();
    }

    /// <summary>The turns as <see cref="Render"/> writes them, each assistant turn's span being its
    /// <see cref="RenderResponse"/> text (the eos token that ends a reply is added when tokenising).</summary>
    public ChatTemplate.Rendering RenderWithAssistantSpans(Conversation conversation)
    {
        string rendered = Render(conversation);
        var spans = new List<(int Start, int Length)>();
        for (int i = 0; i < conversation.Turns.Count; i++)
        {
            if (conversation.Turns[i].Role != Role.Assistant) continue;
            string through = Render(new Conversation([.. conversation.Turns.Take(i + 1)]));
            int length = RenderResponse(conversation.Turns[i].Text).Length;
            spans.Add((through.Length - length, length));
        }
        string text = conversation.Turns[^1].Role == Role.Assistant
            ? rendered
            : rendered[..^(TurnSeparator.Length + AssistantPrefix.Length)];
        return new ChatTemplate.Rendering(text, spans);
    }

    /// <summary>
    /// The conversation <see cref="Render"/> wrote <paramref name="text"/> from: text before the first turn is a system turn,
    /// and a final assistant cue without text (a conversation awaiting its reply) is dropped. Turns are found at the
    /// separator followed by a prefix, so a turn whose text contains that is split.
    /// </summary>
    public Conversation Parse(string text)
    {
        string human = TurnSeparator + HumanPrefix, assistant = TurnSeparator + AssistantPrefix;
        var turns = new List<Turn>();
        Role? role = null;
        for (int at = 0; ;)
        {
            int h = text.IndexOf(human, at, StringComparison.Ordinal), a = text.IndexOf(assistant, at, StringComparison.Ordinal);
            int next = h < 0 ? a : a < 0 ? h : Math.Min(h, a);
            string chunk = text[at..(next < 0 ? text.Length : next)];
            if (role is { } r) turns.Add(new Turn(r, chunk.StartsWith(' ') ? chunk[1..] : chunk));
            else if (chunk.Length > 0) turns.Add(new Turn(Role.System, chunk));
            if (next < 0) break;
            role = next == h ? Role.User : Role.Assistant;
            at = next + (next == h ? human.Length : assistant.Length);
        }
        if (turns is [.., { Role: Role.Assistant, Text: "" }]) turns.RemoveAt(turns.Count - 1);
        return new Conversation(turns);
    }

    /// <summary>A reply as it follows the assistant cue: Render(c) + RenderResponse(r) is the transcript with the reply.</summary>
    public string RenderResponse(string text) => " " + text;

    internal JsonObject ToJson() => new()
    {
        ["turn_separator"] = TurnSeparator,
        ["human_prefix"] = HumanPrefix,
        ["assistant_prefix"] = AssistantPrefix,
    };

    internal static ChatFormat FromJson(JsonNode node, string file)
    {
        if (node is not JsonObject obj) throw new FormatException($"{file}: \"{ConfigKey}\" must be an object.");
        string Read(string key, string fallback)
        {
            if (!obj.TryGetPropertyValue(key, out var value) || value is null) return fallback;
            return value is JsonValue v && v.TryGetValue(out string? s)
                ? s
                : throw new FormatException($"{file}: \"{ConfigKey}.{key}\" must be a string.");
        }
        foreach (var (key, _) in obj)
            if (key is not ("turn_separator" or "human_prefix" or "assistant_prefix"))
                throw new FormatException($"{file}: unknown key \"{ConfigKey}.{key}\".");
        return new ChatFormat(Read("turn_separator", "\n\n"), Read("human_prefix", "Human:"), Read("assistant_prefix", "Assistant:"));
    }

    private string Prefix(Role role) => role switch
    {
        Role.User => HumanPrefix,
        Role.Assistant => AssistantPrefix,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };
}
