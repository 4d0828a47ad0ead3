using Cai.Abstractions.Prompts;

namespace Cai.Abstractions.Evaluation;

/// <summary>
/// An independent evaluator as a plugin (kind "evaluator"): labels a response to a prompt and orders two responses, for
/// the evaluate stage, <c>cai eval</c> and the report's tables (label rates, revision rounds, agreement of AI feedback).
/// Never a training judge. Recipes name it on an evaluate stage (<c>{ use: evaluate, evaluator: keyword }</c>); without
/// one the run's embedded evaluator labels (the toy world's).
/// </summary>
public interface IEvaluator
{
    /// <summary>Every label it gives, in the order the report's tables and plots show them.</summary>
    IReadOnlyList<ResponseLabel> Labels { get; }

    /// <summary>Why it cannot label responses to <paramref name="prompt"/>, or null when it can (the default).</summary>
    /// <param name="prompt">A prompt of an evaluated set.</param>
    string? Refuses(PromptRecord prompt) => null;

    /// <summary>Labels a batch: result[i] answers batch[i] and carries its item id; each label is the id of one of
    /// <see cref="Labels"/>.</summary>
    /// <param name="batch">The responses to label.</param>
    /// <param name="cancellationToken">Cancels the stage.</param>
    Task<IReadOnlyList<EvaluationLabel>> LabelAsync(IReadOnlyList<EvaluationRequest> batch, CancellationToken cancellationToken);

    /// <summary>Orders pairs: result[i] answers batch[i] and carries its item id.</summary>
    /// <param name="batch">The pairs to order.</param>
    /// <param name="cancellationToken">Cancels the stage.</param>
    Task<IReadOnlyList<EvaluationOrder>> CompareAsync(IReadOnlyList<EvaluationPair> batch, CancellationToken cancellationToken);
}

/// <summary>A response to label.</summary>
/// <param name="ItemId">Identifies the request in its batch.</param>
/// <param name="Prompt">The prompt (with its conversation, when it has one).</param>
/// <param name="Response">The response, trimmed.</param>
public sealed record EvaluationRequest(string ItemId, PromptRecord Prompt, string Response);

/// <summary>The label of one <see cref="EvaluationRequest"/>.</summary>
/// <param name="ItemId">The request's item id.</param>
/// <param name="Label">The <see cref="ResponseLabel.Id"/> it gives.</param>
public sealed record EvaluationLabel(string ItemId, string Label);

/// <summary>Two responses to one prompt, to order.</summary>
/// <param name="ItemId">Identifies the request in its batch.</param>
/// <param name="Prompt">The prompt.</param>
/// <param name="ResponseA">The first response.</param>
/// <param name="ResponseB">The second response.</param>
public sealed record EvaluationPair(string ItemId, PromptRecord Prompt, string ResponseA, string ResponseB);

/// <summary>The order of one <see cref="EvaluationPair"/>.</summary>
/// <param name="ItemId">The pair's item id.</param>
/// <param name="Order">Positive when A is better, negative when B is, 0 when the evaluator ranks them equal.</param>
public sealed record EvaluationOrder(string ItemId, int Order);

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
