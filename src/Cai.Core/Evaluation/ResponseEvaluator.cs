using Cai.Abstractions.Evaluation;
using Cai.Abstractions.Input;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Plugins;
using Cai.Core.Prompts;
using Cai.Models;

namespace Cai.Core.Evaluation;

/// <summary>
/// The independent evaluator of the evaluate stage, <c>cai eval</c> and the report, as the host uses it: labels a response
/// to a prompt (for example harmful, evasive, harmless-engaged on red-team prompts; helpful, not helpful on benign ones)
/// and orders two responses. Never a training judge. The run's embedded one (the toy world's, Cai.Sandbox's
/// WorldResponseEvaluator) implements it directly; an evaluator plugin (<see cref="IEvaluator"/>) is used through
/// <see cref="PluginEvaluator"/>.
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

    /// <summary>The labels of a batch of responses, in order (by default one <see cref="Label"/> each).</summary>
    Task<IReadOnlyList<string>> LabelAsync(IReadOnlyList<(PromptRecord Prompt, string Response)> batch,
        CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(batch.Select(b => Label(b.Prompt, b.Response)).ToList());
}

/// <summary>
/// An evaluator plugin as the host uses it: its calls contained (<see cref="PluginBatches"/>), its labels checked against
/// those it declares. Dispose it to dispose the plugin.
/// </summary>
/// <param name="handle">The live plugin.</param>
public sealed class PluginEvaluator(PluginHandle<IEvaluator> handle) : IResponseEvaluator, IDisposable
{
    public string Name => handle.Name;

    public IReadOnlyList<ResponseLabel> Labels => handle.Current.Labels;

    public string? Refuses(PromptRecord prompt) => handle.Current.Refuses(prompt);

    public string Label(PromptRecord prompt, string response) =>
        TorchThread.Wait(LabelAsync([(prompt, response)], CancellationToken.None))[0];

    public int Compare(PromptRecord prompt, string a, string b) =>
        TorchThread.Wait(handle.OrderAsync([new EvaluationPair(prompt.Id, prompt, a, b)], CancellationToken.None))[0].Order;

    public async Task<IReadOnlyList<string>> LabelAsync(IReadOnlyList<(PromptRecord Prompt, string Response)> batch,
        CancellationToken cancellationToken)
    {
        var requests = batch.Select((b, i) => new EvaluationRequest($"{i}:{b.Prompt.Id}", b.Prompt, b.Response)).ToList();
        return (await handle.LabelAsync(requests, cancellationToken)).Select(l => l.Label).ToList();
    }

    public void Dispose() => handle.Dispose();
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
        var answers = prompts
            .SelectMany((p, i) => samples[i].Select((s, k) => (p.Set, p.Prompt, Sample: k, Response: s.Text.Trim()))).ToList();
        var labels = await evaluator.LabelAsync(answers.Select(a => (a.Prompt, a.Response)).ToList(), cancellationToken);
        return answers.Select((a, i) => new EvaluatedAnswer(a.Set, a.Prompt, a.Sample, a.Response, labels[i])).ToList();
    }

    /// <summary>Rate of each label within each prompt set, keyed "{set}/{label}" (the evaluate stage's metrics).</summary>
    public static IReadOnlyDictionary<string, double> Rates(IEnumerable<(string Set, string Label)> labels) =>
        labels.GroupBy(r => r.Set)
            .SelectMany(set => set.GroupBy(r => r.Label)
                .Select(label => (Key: $"{set.Key}/{label.Key}", Rate: label.Count() / (double)set.Count())))
            .ToDictionary(x => x.Key, x => x.Rate);
}
