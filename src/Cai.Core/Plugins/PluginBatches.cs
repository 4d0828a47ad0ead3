using Cai.Abstractions.Evaluation;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Training;

namespace Cai.Core.Plugins;

/// <summary>
/// Contained batch calls into plugins. A failing batch is retried item by item to find the item that fails, so the
/// <see cref="PluginException"/> names it; results must answer the requests in order, id for id.
/// </summary>
public static class PluginBatches
{
    public static Task<IReadOnlyList<Critique>> CritiqueAsync(this PluginHandle<ICritic> critic, IReadOnlyList<CritiqueRequest> batch, CancellationToken ct) =>
        RunAsync(critic, batch, r => r.ItemId, c => c.ItemId, (p, b) => p.CritiqueAsync(b, ct));

    public static Task<IReadOnlyList<Revision>> ReviseAsync(this PluginHandle<IReviser> reviser, IReadOnlyList<RevisionRequest> batch, CancellationToken ct) =>
        RunAsync(reviser, batch, r => r.ItemId, r => r.ItemId, (p, b) => p.ReviseAsync(b, ct));

    public static async Task<IReadOnlyList<Preference>> CompareAsync(this PluginHandle<IJudge> judge, IReadOnlyList<ComparisonRequest> batch, CancellationToken ct)
    {
        var preferences = await RunAsync(judge, batch, r => r.ItemId, p => p.ItemId, (p, b) => p.CompareAsync(b, ct));
        foreach (var preference in preferences.Where(p => !(p.ProbabilityA is >= 0 and <= 1)))
            throw new PluginException(judge.Name, preference.ItemId, $"probability_a {preference.ProbabilityA} is not in [0, 1]");
        return preferences;
    }

    /// <summary>Labels a batch; a label the evaluator does not declare is its error.</summary>
    public static async Task<IReadOnlyList<EvaluationLabel>> LabelAsync(this PluginHandle<IEvaluator> evaluator,
        IReadOnlyList<EvaluationRequest> batch,
        CancellationToken ct)
    {
        var labels = await RunAsync(evaluator, batch, r => r.ItemId, l => l.ItemId, (p, b) => p.LabelAsync(b, ct));
        var declared = evaluator.Current.Labels.Select(l => l.Id).ToHashSet();
        foreach (var label in labels.Where(l => !declared.Contains(l.Label)))
            throw new PluginException(evaluator.Name, label.ItemId,
                $"label '{label.Label}' is not one it declares ({string.Join(", ", declared)})");
        return labels;
    }

    public static Task<IReadOnlyList<EvaluationOrder>> OrderAsync(this PluginHandle<IEvaluator> evaluator,
        IReadOnlyList<EvaluationPair> batch,
        CancellationToken ct) =>
        RunAsync(evaluator, batch, r => r.ItemId, o => o.ItemId, (p, b) => p.CompareAsync(b, ct));

    public static Task<TrainingResult> TrainAsync(this PluginHandle<ITrainer> trainer, TrainingRequest request, ITrainingContext context) =>
        trainer.InvokeAsync(t => t.TrainAsync(request, context), itemId: null);

    /// <summary>The contained call behind the typed helpers; use it for contracts of your own.</summary>
    public static async Task<IReadOnlyList<TResult>> RunAsync<TPlugin, TRequest, TResult>(
        PluginHandle<TPlugin> handle, IReadOnlyList<TRequest> batch, Func<TRequest, string> requestId, Func<TResult, string> resultId,
        Func<TPlugin, IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> call) where TPlugin : class
    {
        try
        {
            return Checked(handle.Name, batch, await handle.InvokeAsync(p => call(p, batch), Describe(batch, requestId)), requestId, resultId);
        }
        catch (PluginException) when (batch.Count > 1)
        {
            foreach (var request in batch)
                Checked(handle.Name, [request], await handle.InvokeAsync(p => call(p, [request]), requestId(request)), requestId, resultId);
            throw;
        }
    }

    static IReadOnlyList<TResult> Checked<TRequest, TResult>(string plugin, IReadOnlyList<TRequest> batch, IReadOnlyList<TResult> results,
        Func<TRequest, string> requestId, Func<TResult, string> resultId)
    {
        if (results.Count != batch.Count)
            throw new PluginException(plugin, Describe(batch, requestId), $"returned {results.Count} results for {batch.Count} requests");
        for (int i = 0; i < batch.Count; i++)
            if (resultId(results[i]) != requestId(batch[i]))
                throw new PluginException(plugin, requestId(batch[i]), $"result {i} carries item id '{resultId(results[i])}'");
        return results;
    }

    static string? Describe<TRequest>(IReadOnlyList<TRequest> batch, Func<TRequest, string> requestId) =>
        batch.Count == 0 ? null : string.Join(", ", batch.Select(requestId));
}
