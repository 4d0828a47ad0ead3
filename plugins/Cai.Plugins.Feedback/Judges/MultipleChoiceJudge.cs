using System.Globalization;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>
/// Options of the multiple-choice judge. There is no few-shot option: the constitution's few-shot examples are
/// critique–revision examples, not worked comparisons, and the toy feedback model is pretrained on the bare format.
/// </summary>
public sealed record MultipleChoiceJudgeOptions : PluginOptions
{
    /// <summary>Model role of the feedback model; "feedback" falls back to the policy when the recipe gives no feedback model.</summary>
    public string Model { get; init; } = FeedbackModel.Role;
}

/// <summary>
/// The paper's labelling method: the feedback model reads the comparison question and the soft label is the
/// normalised probability of answering " (A)" rather than " (B)". One order per request: the label stage adds B/A.
/// </summary>
[CaiPlugin("multiple-choice", Description = "Soft label from the feedback model's probabilities of answering (A) or (B).")]
public sealed class MultipleChoiceJudge(PluginContext context, MultipleChoiceJudgeOptions options) : IJudge
{
    public async Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var model = FeedbackModel.Resolve(context, options.Model);
        var prompts = batch.Select(r => ComparisonQuestion.Prompt(model, r)).ToList();
        var labels = await ChoiceScores.ProbabilitiesOfA(model, prompts, cancellationToken);
        return batch.Select((r, i) => new Preference(r.ItemId, labels[i].ProbabilityA,
            string.Create(CultureInfo.InvariantCulture, $"P(A)={labels[i].ProbabilityA:0.00} under {r.Principle.Id}"))
        {
            Method = labels[i].Method,
        }).ToList();
    }
}
