using Cai.Abstractions.Text;
using Cai.Models.Chat;
using Cai.Models.Tokenization;

namespace Cai.Models.Training;

/// <summary>
/// The one way training text is tokenised and masked (SFT, DPO, reward model): the tokenizer's chat format renders the
/// conversation (<see cref="IChatFormat.RenderWithAssistantSpans"/>), each piece is encoded in order (bos only before
/// the first, and not when the text already starts with it), and the loss covers exactly the assistant pieces. A
/// conversation that ends with an assistant turn the format does not close (no end-of-turn token in its span, as in
/// the Human/Assistant format, or a sampled reply cut at its stop string) gets the end-of-turn token, masked, after it:
/// the template's where it is one token, else eos.
/// </summary>
public static class AssistantTokens
{
    /// <summary>Token ids of a conversation and, per token, whether it is assistant text (the loss mask).</summary>
    public static (IReadOnlyList<int> Ids, IReadOnlyList<bool> Mask) Encode(TextTokenizer tokenizer, Conversation conversation)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var rendering = tokenizer.ChatFormat.RenderWithAssistantSpans(conversation);
        return Encode(tokenizer, rendering.Text, rendering.AssistantSpans);
    }

    /// <summary>
    /// A prompt/completion pair (TRL's columns, e.g. <see cref="Cai.Abstractions.Training.SftRow"/>) as training tokens:
    /// the prompt unmasked, the completion masked (with eos where the format does not close the turn itself).
    /// </summary>
    public static TokenizedExample Example(TextTokenizer tokenizer, string prompt, string completion)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(completion);
        var (ids, mask) = Encode(tokenizer, prompt + completion, [(prompt.Length, completion.Length)]);
        int split = 0;
        while (split < mask.Count && !mask[split]) split++;
        return new TokenizedExample([.. ids.Take(split)], [.. ids.Skip(split)]);
    }

    /// <summary>
    /// The training pair of <paramref name="response"/> as the assistant's reply to <paramref name="conversation"/>:
    /// the prompt is everything the format renders before the reply, the completion is the reply's span.
    /// </summary>
    public static (string Prompt, string Completion) Split(IChatFormat format, Conversation conversation, string response)
    {
        ArgumentNullException.ThrowIfNull(format);
        var rendering = format.RenderWithAssistantSpans(conversation.Append(Role.Assistant, response));
        var (start, length) = rendering.AssistantSpans[^1];
        return (rendering.Text[..start], rendering.Text.Substring(start, length));
    }

    private static (IReadOnlyList<int> Ids, IReadOnlyList<bool> Mask) Encode(TextTokenizer tokenizer, string text,
        IReadOnlyList<(int Start, int Length)> spans)
    {
        var ids = new List<int>();
        var mask = new List<bool>();
        void Add(int start, int end, bool assistant)
        {
            if (end <= start && (ids.Count > 0 || assistant)) return;
            var piece = tokenizer.Encode(text[start..end], addSpecialTokens: ids.Count == 0);
            ids.AddRange(piece);
            mask.AddRange(Enumerable.Repeat(assistant, piece.Count));
        }
        int at = 0;
        foreach (var (start, length) in spans)
        {
            if (start < at || start + length > text.Length)
                throw new ArgumentException("Assistant spans must be in order and inside the text.", nameof(spans));
            Add(at, start, assistant: false);
            Add(start, start + length, assistant: true);
            at = start + length;
        }
        Add(at, text.Length, assistant: false);
        if (spans.Count > 0 && at == text.Length && !ClosesTurn(tokenizer, text.Substring(spans[^1].Start, spans[^1].Length)))
        {
            ids.Add(TurnEndId(tokenizer));
            mask.Add(true);
        }
        return (ids, mask);
    }

    // What ends an unclosed reply (e.g. a sampled one, cut at the stop string): the template's end-of-turn token
    // where it is one token (<|eot_id|>, <|im_end|>), else eos, as the Human/Assistant format always has.
    private static int TurnEndId(TextTokenizer tokenizer) =>
        tokenizer.ChatFormat is TemplateChatFormat { StopStrings: [var end, ..] } && tokenizer.TokenToId(end) is int id
            ? id
            : tokenizer.EosTokenId ?? throw new InvalidOperationException("The tokenizer has no eos token to end the assistant's turn.");

    // Only templates close turns with a token; the Human/Assistant format's turns end with eos.
    private static bool ClosesTurn(TextTokenizer tokenizer, string span)
    {
        if (tokenizer.ChatFormat is not TemplateChatFormat format) return false;
        string end = span.TrimEnd();
        return format.StopStrings.Append(tokenizer.SpecialTokens.Eos ?? "")
            .Any(s => s.Trim().Length > 0 && end.EndsWith(s.Trim(), StringComparison.Ordinal));
    }
}
