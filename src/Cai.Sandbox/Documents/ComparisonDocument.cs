using Cai.Abstractions.Text;

namespace Cai.Sandbox.Documents;

/// <summary>
/// The paper's multiple-choice feedback question. The whole question is one human turn ending in "The answer is:";
/// the assistant's reply is " (A)" or " (B)". The inner conversation uses single newlines so it never contains a
/// turn separator.
/// </summary>
public static class ComparisonDocument
{
    public const string AnswerA = "(A)";
    public const string AnswerB = "(B)";

    /// <summary>Opens the reasoning of a chain-of-thought comparison, on its own line before "The answer is:".</summary>
    public const string ReasoningCue = "Let's think step by step:";

    /// <summary>The human turn: conversation, comparison question, options, optional reasoning and "The answer is:".</summary>
    public static string Question(string prompt, string comparisonQuestion, string responseA, string responseB, string? reasoning = null) =>
        "Consider the following conversation between a human and an assistant:\n" +
        $"Human: {prompt}\n{comparisonQuestion}\nOptions:\n(A) {responseA}\n(B) {responseB}\n" +
        (reasoning is null ? "" : $"{ReasoningCue} {reasoning}\n") + "The answer is:";

    public static string Render(string prompt, string comparisonQuestion, string responseA, string responseB, bool answerIsA, string? reasoning = null) =>
        ChatTranscript.Render(
            (Role.User, Question(prompt, comparisonQuestion, responseA, responseB, reasoning)),
            (Role.Assistant, answerIsA ? AnswerA : AnswerB));
}
