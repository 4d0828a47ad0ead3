using Cai.Abstractions.Feedback;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>
/// The comparison question with the reasoning placed before the trained closing cue:
/// "... (B) {b}\nLet's think step by step: {reasoning}\nThe answer is:". The reasoning is sampled as the
/// continuation of the question up to the reasoning cue, so the scored prompt extends exactly what was sampled from.
/// </summary>
public static class ReasoningPrompt
{
    /// <summary>Words that open the reasoning.</summary>
    public const string Cue = "Let's think step by step:";

    const string Slot = "\u0001reasoning\u0001";

    /// <summary>The feedback model's text up to and including <see cref="Cue"/>; the model continues it with reasoning.</summary>
    public static string ForReasoning(ITextModel model, ComparisonRequest request)
    {
        string full = model.FormatPrompt(Conversation.FromPrompt(Human(request, Slot)));
        int at = full.IndexOf(Slot, StringComparison.Ordinal);
        if (at < 0 || full.IndexOf(Slot, at + Slot.Length, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"model '{model.Name}' does not render the question verbatim; cannot place the reasoning");
        return full[..at].TrimEnd(' ');
    }

    /// <summary>The prompt scored for " (A)" and " (B)": the question with the reasoning, as one human turn.</summary>
    public static string ForAnswer(ITextModel model, ComparisonRequest request, string reasoning) =>
        model.FormatPrompt(Conversation.FromPrompt(Human(request, reasoning)));

    /// <summary>One line of reasoning: newlines would break the question's line structure.</summary>
    public static string Clean(string reasoning) =>
        string.Join(' ', reasoning.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    static string Human(ComparisonRequest request, string reasoning) =>
        ComparisonQuestion.Body(request) + (reasoning.Length == 0 ? Cue : $"{Cue} {reasoning}") + "\n" + ComparisonQuestion.AnswerCue;
}
