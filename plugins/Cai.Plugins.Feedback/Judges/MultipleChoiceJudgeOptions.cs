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
