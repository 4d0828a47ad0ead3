using Cai.Abstractions.Feedback;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>
/// The paper's multiple-choice feedback question, in the exact format the toy world's pretraining corpus teaches:
/// one human turn holding the conversation, the principle's comparison question and the options, ending in
/// "The answer is:"; the feedback model's reply is " (A)" or " (B)".
/// </summary>
public static class ComparisonQuestion
{
    /// <summary>The reply scored for option A (the chat format puts one space after the assistant cue).</summary>
    public const string AnswerA = " (A)";

    /// <summary>The reply scored for option B.</summary>
    public const string AnswerB = " (B)";

    /// <summary>The closing cue after which the model answers.</summary>
    public const string AnswerCue = "The answer is:";

    /// <summary>The question up to, not including, <see cref="AnswerCue"/>; ends with a newline.</summary>
    public static string Body(ComparisonRequest request) =>
        "Consider the following conversation between a human and an assistant:\n" +
        $"{Transcript(request.Conversation)}\n{request.Principle.ComparisonQuestion}\n" +
        $"Options:\n(A) {request.ResponseA}\n(B) {request.ResponseB}\n";

    /// <summary>The whole human turn.</summary>
    public static string Text(ComparisonRequest request) => Body(request) + AnswerCue;

    /// <summary>The prompt text scored: the question as one human turn in the feedback model's chat format.</summary>
    public static string Prompt(ITextModel model, ComparisonRequest request) =>
        model.FormatPrompt(Conversation.FromPrompt(Text(request)));

    // Single newlines only, so the inner conversation never contains the chat format's turn separator.
    // A one-turn conversation gives "Human: {prompt}", as in the corpus: the paper's speaker names, not the enum's.
    static string Transcript(Conversation conversation) =>
        string.Join("\n", conversation.Turns.Select(t => $"{Speaker(t.Role)}: {t.Text}"));

    static string Speaker(Role role) => role switch
    {
        Role.User => "Human",
        Role.Assistant => "Assistant",
        Role.System => "System",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };
}
