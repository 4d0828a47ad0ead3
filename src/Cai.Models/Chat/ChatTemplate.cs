using System.Reflection;
using System.Text.Json.Nodes;
using Cai.Abstractions.Text;

namespace Cai.Models.Chat;

/// <summary>
/// A model's chat template, as Hugging Face's apply_chat_template renders it: the Jinja template gets
/// <c>messages</c> (a list of {role, content}), <c>tools</c> and <c>documents</c> (None), <c>add_generation_prompt</c>,
/// <c>bos_token</c> and <c>eos_token</c> (where the tokenizer has them) and any extra variables. Built-in templates
/// (<see cref="BuiltInNames"/>) cover the common families; a model's own comes from tokenizer_config.json.
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>tokenizer_config.json's key for the template.</summary>
    public const string ConfigKey = "chat_template";

    /// <summary>The file newer Hugging Face checkpoints keep the template in, next to tokenizer_config.json.</summary>
    public const string TemplateFileName = "chat_template.jinja";

    /// <summary>One message: a role ("system", "user", "assistant") and its text.</summary>
    /// <param name="Role">The role the template sees as <c>message['role']</c>.</param>
    /// <param name="Content">The text the template sees as <c>message['content']</c>.</param>
    public sealed record Message(string Role, string Content);

    /// <summary>A rendered conversation and the spans (start, length, in UTF-16 units) of its assistant text.</summary>
    /// <param name="Text">The rendered conversation.</param>
    /// <param name="AssistantSpans">Where assistant text is, in order: what an SFT or DPO mask covers.</param>
    public sealed record Rendering(string Text, IReadOnlyList<(int Start, int Length)> AssistantSpans);

    /// <summary>The built-in templates a recipe can name.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = ["chatml", "llama-3", "mistral", "gemma", "phi-3", "human-assistant"];

    private static readonly HashSet<string> _reserved = ["messages", "add_generation_prompt"];

    /// <summary>Parses a template.</summary>
    /// <param name="source">The Jinja source.</param>
    /// <param name="bosToken">The tokenizer's BOS token text, or null when it has none (then bos_token is undefined).</param>
    /// <param name="eosToken">The tokenizer's EOS token text, or null when it has none.</param>
    /// <param name="name">The name errors start with.</param>
    /// <param name="options">Interpreter limits.</param>
    /// <exception cref="JinjaTemplateException">The template does not parse or uses an unsupported construct.</exception>
    public ChatTemplate(string source, string? bosToken = null, string? eosToken = null, string name = ConfigKey, JinjaOptions? options = null)
    {
        Source = source;
        BosToken = bosToken;
        EosToken = eosToken;
        Template = JinjaTemplate.Parse(source, name, options);
    }

    /// <summary>The Jinja source.</summary>
    public string Source { get; }

    /// <summary>The text of <c>bos_token</c>, or null when undefined.</summary>
    public string? BosToken { get; }

    /// <summary>The text of <c>eos_token</c>, or null when undefined.</summary>
    public string? EosToken { get; }

    /// <summary>The parsed template.</summary>
    public JinjaTemplate Template { get; }

    /// <summary>A built-in template (one of <see cref="BuiltInNames"/>) with the model's special tokens.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static ChatTemplate BuiltIn(string name, string? bosToken = null, string? eosToken = null) =>
        new(BuiltInSource(name), bosToken, eosToken, name);

    /// <summary>The Jinja source of a built-in template.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static string BuiltInSource(string name)
    {
        if (!BuiltInNames.Contains(name))
            throw new ArgumentException($"Unknown chat template '{name}'; the built-in ones are {string.Join(", ", BuiltInNames)}.", nameof(name));
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Cai.Models.Chat.Templates.{name}.jinja")
            ?? throw new InvalidOperationException($"The built-in chat template '{name}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The template a tokenizer_config.json holds: <c>chat_template</c> as a string, or as a list of {name, template}
    /// from which <paramref name="templateName"/> (by default "default") is taken. Null when there is none.
    /// </summary>
    /// <exception cref="FormatException">A malformed value, or no template of that name.</exception>
    public static string? SourceFromTokenizerConfig(JsonObject config, string file, string? templateName = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        switch (config[ConfigKey])
        {
            case null:
                return null;
            case JsonValue value when value.TryGetValue(out string? source):
                return source;
            case JsonArray list:
                var named = new Dictionary<string, string>();
                foreach (var item in list)
                {
                    if (item?["name"] is not JsonValue n || !n.TryGetValue(out string? itemName) || item["template"] is not JsonValue t || !t.TryGetValue(out string? itemSource))
                        throw new FormatException($"{file}: every entry of \"{ConfigKey}\" must be an object with string \"name\" and \"template\".");
                    named[itemName] = itemSource;
                }
                string wanted = templateName ?? "default";
                return named.TryGetValue(wanted, out var chosen)
                    ? chosen
                    : throw new FormatException($"{file}: \"{ConfigKey}\" has no template named '{wanted}' (it has {string.Join(", ", named.Keys.Select(k => $"'{k}'"))}).");
            default:
                throw new FormatException($"{file}: \"{ConfigKey}\" must be a string or a list of {{\"name\", \"template\"}} objects.");
        }
    }

    /// <summary>
    /// The template of a checkpoint directory: chat_template.jinja where present (newer checkpoints), else
    /// tokenizer_config.json's <c>chat_template</c>; null when neither has one.
    /// </summary>
    public static string? SourceFromDirectory(string directory, string? templateName = null)
    {
        string file = Path.Combine(directory, TemplateFileName);
        if (templateName is null && File.Exists(file)) return File.ReadAllText(file);
        string config = Path.Combine(directory, "tokenizer_config.json");
        if (!File.Exists(config)) return null;
        var node = JsonNode.Parse(File.ReadAllText(config)) as JsonObject ?? throw new FormatException($"{config}: must be a JSON object.");
        return SourceFromTokenizerConfig(node, config, templateName);
    }

    /// <summary>The messages of a conversation, with the roles "system", "user" and "assistant".</summary>
    public static IReadOnlyList<Message> Messages(Conversation conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return conversation.Turns.Select(t => new Message(t.Role switch
        {
            Role.System => "system",
            Role.User => "user",
            Role.Assistant => "assistant",
            _ => throw new ArgumentOutOfRangeException(nameof(conversation), t.Role, "Unknown role."),
        }, t.Text)).ToList();
    }

    /// <summary>Renders a conversation.</summary>
    /// <param name="messages">The messages, oldest first.</param>
    /// <param name="addGenerationPrompt">Whether to end with the cue that starts an assistant reply.</param>
    /// <param name="extra">More template variables (e.g. date_string, tools); they cannot be messages or add_generation_prompt.</param>
    /// <exception cref="JinjaTemplateException">The template failed, e.g. raise_exception for roles it does not support.</exception>
    public string Render(IReadOnlyList<Message> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? extra = null) =>
        Template.Render(Variables(messages, addGenerationPrompt, extra));

    /// <summary>
    /// Renders a conversation and finds its assistant text: from the template's <c>{% generation %}</c> blocks where
    /// it has them (as transformers' return_assistant_tokens_mask), else from rendering boundaries. An assistant
    /// message's span is then what rendering the messages up to it adds over rendering the messages before it with
    /// the generation prompt: its text and whatever the template closes the turn with (e.g. "&lt;|im_end|&gt;\n").
    /// </summary>
    /// <exception cref="JinjaTemplateException">The template failed.</exception>
    /// <exception cref="InvalidOperationException">Without generation blocks, the template renders earlier messages
    /// differently once later ones follow, so boundaries do not give the spans.</exception>
    public Rendering RenderWithAssistantSpans(IReadOnlyList<Message> messages, bool addGenerationPrompt = false, IReadOnlyDictionary<string, object?>? extra = null)
    {
        if (Template.HasGenerationBlocks)
        {
            var (text, spans) = Template.RenderWithGenerationSpans(Variables(messages, addGenerationPrompt, extra));
            return new Rendering(text, spans);
        }
        string full = Render(messages, addGenerationPrompt, extra);
        var found = new List<(int Start, int Length)>();
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role != "assistant") continue;
            string before = Render(messages.Take(i).ToList(), addGenerationPrompt: true, extra);
            string through = Render(messages.Take(i + 1).ToList(), addGenerationPrompt: false, extra);
            if (!through.StartsWith(before, StringComparison.Ordinal))
                throw new InvalidOperationException($"{Template.Name}: rendering messages 0..{i} does not start with rendering messages 0..{i - 1} and the generation prompt, so the assistant text of message {i} cannot be located; mark it with {{% generation %}} blocks.");
            if (!full.StartsWith(through, StringComparison.Ordinal))
                throw new InvalidOperationException($"{Template.Name}: the template renders messages 0..{i} differently when later messages follow, so the assistant text of message {i} cannot be located; mark it with {{% generation %}} blocks.");
            found.Add((before.Length, through.Length - before.Length));
        }
        return new Rendering(full, found);
    }

    private Dictionary<string, object?> Variables(IReadOnlyList<Message> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? extra)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = messages.Select(m => new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["tools"] = null,
            ["documents"] = null,
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        if (BosToken is not null) variables["bos_token"] = BosToken;
        if (EosToken is not null) variables["eos_token"] = EosToken;
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
        {
            if (_reserved.Contains(key)) throw new ArgumentException($"The extra template variable '{key}' is set by the chat template itself.", nameof(extra));
            variables[key] = value;
        }
        return variables;
    }
}
