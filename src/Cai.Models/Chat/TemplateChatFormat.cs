using Cai.Abstractions.Text;

namespace Cai.Models.Chat;

/// <summary>
/// A chat format rendered by a Jinja chat template, as Hugging Face's apply_chat_template: prompts with
/// add_generation_prompt, a final assistant turn continued as continue_final_message does (the rendering cut after
/// that turn's text), and stop strings from the turn's closing token and the model's eos tokens.
/// </summary>
public sealed class TemplateChatFormat : IChatFormat
{
    private const string Probe = "CAI-END-OF-TURN-PROBE";

    /// <summary>Wraps a template; <paramref name="endTokens"/> are the texts of the model's eos tokens
    /// (tokenizer_config.json's eos_token and generation_config.json's eos_token_id list).</summary>
    /// <param name="template">The template.</param>
    /// <param name="endTokens">Token texts that end generation besides the turn's closing token.</param>
    /// <param name="name">The name in messages; by default the template's.</param>
    public TemplateChatFormat(ChatTemplate template, IEnumerable<string> endTokens, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        Template = template;
        Name = name ?? template.Template.Name;
        StopStrings = [.. new[] { TurnEnd(template) }.Concat(endTokens).Where(s => !string.IsNullOrEmpty(s)).Distinct()];
    }

    /// <summary>The template.</summary>
    public ChatTemplate Template { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> StopStrings { get; }

    /// <inheritdoc />
    public string Render(Conversation conversation)
    {
        var messages = Messages(conversation);
        if (messages[^1].Role != "assistant") return Template.Render(messages, addGenerationPrompt: true);
        string content = messages[^1].Content.Trim();
        if (content.Length == 0) return Template.Render(messages.Take(messages.Count - 1).ToList(), addGenerationPrompt: true);
        string rendered = Template.Render(messages, addGenerationPrompt: false);
        int at = rendered.LastIndexOf(content, StringComparison.Ordinal);
        if (at < 0)
            throw new InvalidOperationException(
                $"{Name}: the template does not render the final assistant turn's text, so it cannot be continued.");
        return rendered[..(at + content.Length)];
    }

    /// <inheritdoc />
    public ChatTemplate.Rendering RenderWithAssistantSpans(Conversation conversation)
    {
        var rendering = Template.RenderWithAssistantSpans(Messages(conversation));
        string text = rendering.Text;
        return rendering with
        {
            AssistantSpans = [.. rendering.AssistantSpans.Select(s => (s.Start, text.AsSpan(s.Start, s.Length).TrimEnd().Length))],
        };
    }

    private static List<ChatTemplate.Message> Messages(Conversation conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        if (conversation.Turns.Count == 0) throw new ArgumentException("Cannot render an empty conversation.", nameof(conversation));
        if (conversation.Turns.Skip(1).Any(t => t.Role == Role.System))
            throw new ArgumentException("A system turn can only come first.", nameof(conversation));
        return [.. ChatTemplate.Messages(conversation)];
    }

    // What the template closes an assistant turn with, up to the first whitespace: "<|im_end|>", "<|eot_id|>", "</s>".
    private static string TurnEnd(ChatTemplate template)
    {
        string rendered;
        try
        {
            rendered = template.Render([new("user", "hi"), new("assistant", Probe)], addGenerationPrompt: false);
        }
        catch (JinjaTemplateException)
        {
            return "";
        }
        int at = rendered.LastIndexOf(Probe, StringComparison.Ordinal);
        if (at < 0) return "";
        string after = rendered[(at + Probe.Length)..].TrimStart();
        int space = after.IndexOfAny([' ', '\n', '\r', '\t']);
        return space < 0 ? after : after[..space];
    }
}
