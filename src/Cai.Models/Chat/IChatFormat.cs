using Cai.Abstractions.Text;

namespace Cai.Models.Chat;

/// <summary>
/// How a model's conversations become text: its prompts (<see cref="Render"/>), where an assistant turn ends
/// (<see cref="StopStrings"/>) and which text is the assistant's (<see cref="RenderWithAssistantSpans"/>, what SFT and
/// DPO masks cover). A checkpoint's tokenizer carries one (<see cref="Tokenization.TextTokenizer.ChatFormat"/>): its
/// tokenizer_config.json's <c>chat_template</c> (<see cref="TemplateChatFormat"/>), else <c>cai_chat_format</c>
/// (<see cref="Tokenization.ChatFormat"/>, the CAI paper's Human/Assistant turns).
/// </summary>
public interface IChatFormat
{
    /// <summary>What the format is called in messages: a built-in name, or where it came from.</summary>
    string Name { get; }

    /// <summary>
    /// The prompt of a conversation: after a user turn it ends with the cue of the assistant's turn; a final assistant
    /// turn is left open (its text without the turn's end), so the model continues it (prefill).
    /// </summary>
    /// <exception cref="ArgumentException">An empty conversation, or a system turn that is not first.</exception>
    string Render(Conversation conversation);

    /// <summary>Strings that end an assistant turn: the turn's closing token, the eos tokens, or the next user cue.</summary>
    IReadOnlyList<string> StopStrings { get; }

    /// <summary>
    /// The whole conversation as training text, and the spans of its assistant turns: each turn's text and the
    /// template's closing token where it has one (e.g. "&lt;|im_end|&gt;"), without the whitespace after it.
    /// </summary>
    ChatTemplate.Rendering RenderWithAssistantSpans(Conversation conversation);
}
