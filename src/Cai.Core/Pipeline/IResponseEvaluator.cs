using Cai.Core.Prompts;

namespace Cai.Core.Pipeline;

/// <summary>
/// The independent evaluator of the evaluate stage and the report: labels a response to a prompt (for example
/// harmful, evasive, harmless on red-team prompts; helpful, unhelpful on benign ones). Never a training judge.
/// </summary>
public interface IResponseEvaluator
{
    string Name { get; }

    string Label(PromptRecord prompt, string response);

    /// <summary>Why the evaluator cannot label responses to <paramref name="prompt"/>, or null when it can.</summary>
    string? Refuses(PromptRecord prompt);

    /// <summary>Orders two responses to a prompt: positive when <paramref name="a"/> is better, 0 when equal.</summary>
    int Compare(PromptRecord prompt, string a, string b);
}
