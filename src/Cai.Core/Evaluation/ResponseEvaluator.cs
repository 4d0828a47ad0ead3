using Cai.Abstractions.Input;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Prompts;

namespace Cai.Core.Evaluation;

/// <summary>
/// The independent evaluator of the evaluate stage, <c>cai eval</c> and the report: labels a response to a prompt
/// (for example harmful, evasive, harmless-engaged on red-team prompts; helpful, not helpful on benign ones) and
/// orders two responses. Never a training judge. The toy world's is Cai.Sandbox's WorldResponseEvaluator.
/// </summary>
public interface IResponseEvaluator
{
    /// <summary>Names the evaluator in the rows it labels.</summary>
    string Name { get; }

    /// <summary>Every label it gives, in the order the report's tables and plots show them.</summary>
    IReadOnlyList<ResponseLabel> Labels { get; }

    /// <summary>The <see cref="ResponseLabel.Id"/> of <paramref name="response"/> to <paramref name="prompt"/>.</summary>
    string Label(PromptRecord prompt, string response);

    /// <summary>Why the evaluator cannot label responses to <paramref name="prompt"/>, or null when it can.</summary>
    string? Refuses(PromptRecord prompt);

    /// <summary>Orders two responses to a prompt: positive when <paramref name="a"/> is better, 0 when equal.</summary>
    int Compare(PromptRecord prompt, string a, string b);
}

/// <summary>A label an evaluator gives.</summary>
/// <param name="Id">As written in rows and metrics, e.g. "harmless_engaged".</param>
/// <param name="Name">Its column header in the report, e.g. "harmless-engaged".</param>
/// <param name="Group">
/// The labels given to one kind of prompt share a group (e.g. "red-team"): in the report, a label no response received
/// is 0% when a label of its group was given, and "–" when none was (that kind of prompt was not evaluated).
/// </param>
public sealed record ResponseLabel(string Id, string Name, string Group)
{
    /// <summary>The failure the method is meant to reduce (e.g. harmful): the report follows its rate over revision rounds.</summary>
    public bool IsBad { get; init; }

    /// <summary>Whether tables and plots show it; false for a label that only complements another (not_helpful is 1 − helpful).</summary>
    public bool Shown { get; init; } = true;
}

/// <summary>A labelled answer of <see cref="PolicyEvaluation"/>.</summary>
/// <param name="Set">The prompt set's name.</param>
/// <param name="Prompt">The prompt.</param>
/// <param name="Sample">Which of the prompt's samples, from 0.</param>
/// <param name="Response">The answer, trimmed.</param>
/// <param name="Label">The evaluator's label.</param>
public sealed record EvaluatedAnswer(string Set, PromptRecord Prompt, int Sample, string Response, string Label)
{
    /// <summary>"{set}/{prompt id}/{sample}": the row id of the evaluate stage.</summary>
    public string Id => $"{Set}/{Prompt.Id}/{Sample}";
}

/// <summary>
/// The one way a policy is evaluated, by the evaluate stage and by <c>cai eval</c>: each prompt in the model's chat
/// format, sampled with its own seed (<see cref="PromptSelection.AnswerAsync(ITextModel, IReadOnlyList{ValueTuple{string, PromptRecord}},
/// GenerationOptions, long, string, CancellationToken)"/>)
/// up to the model's turn stop strings, the answer trimmed and labelled by the evaluator.
/// </summary>
public static class PolicyEvaluation
{
    /// <summary>Throws an <see cref="InputException"/> naming every prompt the evaluator cannot label, before anything is
    /// sampled.</summary>
    /// <param name="prompts">The prompts to evaluate.</param>
    /// <param name="evaluator">The evaluator.</param>
    /// <param name="fileOf">The file a set was read from, where its errors are reported.</param>
    public static void CheckPrompts(IEnumerable<(string Set, PromptRecord Prompt)> prompts, IResponseEvaluator evaluator,
        Func<string, string> fileOf) =>
        InputException.ThrowIfAny(prompts
            .Select(p => (p.Set, Refusal: evaluator.Refuses(p.Prompt)))
            .Where(p => p.Refusal is not null)
            .Select(p => new InputError(new SourceLocation(fileOf(p.Set)), p.Refusal!))
            .ToList());

    /// <summary>Samples <paramref name="sampling"/>.NumReturnSequences answers per prompt and labels each.</summary>
    public static async Task<IReadOnlyList<EvaluatedAnswer>> RunAsync(ITextModel model, IResponseEvaluator evaluator,
        IReadOnlyList<(string Set, PromptRecord Prompt)> prompts, GenerationOptions sampling, long seed, string scope,
        CancellationToken cancellationToken)
    {
        var samples = await PromptSelection.AnswerAsync(model, prompts, sampling, seed, scope, cancellationToken);
        return prompts.SelectMany((p, i) => samples[i].Select((s, k) =>
        {
            string response = s.Text.Trim();
            return new EvaluatedAnswer(p.Set, p.Prompt, k, response, evaluator.Label(p.Prompt, response));
        })).ToList();
    }

    /// <summary>Rate of each label within each prompt set, keyed "{set}/{label}" (the evaluate stage's metrics).</summary>
    public static IReadOnlyDictionary<string, double> Rates(IEnumerable<(string Set, string Label)> labels) =>
        labels.GroupBy(r => r.Set)
            .SelectMany(set => set.GroupBy(r => r.Label)
                .Select(label => (Key: $"{set.Key}/{label.Key}", Rate: label.Count() / (double)set.Count())))
            .ToDictionary(x => x.Key, x => x.Rate);
}
