using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Plugins.Feedback.Judging;
using Preference = Cai.Abstractions.Feedback.Preference;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>
/// The feedback model reasons step by step, then answers; the soft label is clamped (default [0.4, 0.6]) because
/// reasoning makes the answer probabilities near 0 or 1. The rationale is the reasoning.
/// </summary>
[CaiPlugin("chain-of-thought", Description = "Reason step by step, then answer (A) or (B); soft label clamped to [clamp_min, clamp_max].")]
public sealed class ChainOfThoughtJudge : IJudge
{
    readonly PluginContext context;
    readonly ChainOfThoughtJudgeOptions options;
    readonly ProbabilityRange range;

    public ChainOfThoughtJudge(PluginContext context, ChainOfThoughtJudgeOptions options)
    {
        this.context = context;
        this.options = options;
        range = new ProbabilityRange(options.ClampMin, options.ClampMax);
    }

    public async Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var model = FeedbackModel.Resolve(context, options.Model);
        var reasoningPrompts = batch.Select(r => ReasoningPrompt.ForReasoning(model, r)).ToList();
        var reasoning = await ReasoningSampler.SampleAsync(model, reasoningPrompts, options, context.Provenance, [.. batch.Select(r => r.ItemId)], cancellationToken);
        var answerPrompts = batch.Select((r, i) => ReasoningPrompt.ForAnswer(model, r, reasoning[i])).ToList();
        var probabilities = await ChoiceScores.ProbabilitiesOfA(model, answerPrompts, cancellationToken);
        return batch.Select((r, i) => new Preference(r.ItemId, range.Clamp(probabilities[i]), reasoning[i])).ToList();
    }
}
