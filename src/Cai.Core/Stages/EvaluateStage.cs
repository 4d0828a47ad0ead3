using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Evaluation;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Core.Evaluation;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Prompts;
using Cai.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Stages;

/// <summary>evaluate: samples held-out prompts and scores the responses with the independent evaluator.</summary>
public sealed record EvaluateOptions : StageOptions, IReadsPromptSets
{
    /// <summary>Prompt sets (names under prompts:) to evaluate on.</summary>
    [MinLength(1)]
    public IReadOnlyList<string> PromptSets { get; init; } = ["eval_red_team", "eval_helpful"];

    /// <summary>Use only the first this-many prompts of each set (all when unset).</summary>
    [Range(1, int.MaxValue)]
    public int? MaxPrompts { get; init; }

    /// <summary>Responses sampled per prompt.</summary>
    [Range(1, 1024)]
    public int Samples { get; init; } = 1;

    /// <summary>Sampling temperature.</summary>
    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Most tokens per response.</summary>
    [Range(1, 32768)]
    public int MaxNewTokens { get; init; } = 96;
}

/// <summary>
/// evaluate: the current policy answers held-out prompts and the independent evaluator labels each response
/// (<see cref="PolicyEvaluation"/>, the path <c>cai eval</c> takes too): the stage's evaluator plugin, or the embedded one.
/// The stage's metrics are the rate of each label per prompt set ("eval_red_team/harmful", ...).
/// </summary>
/// <param name="embedded">The embedded evaluator at run time, or null.</param>
public sealed class EvaluateStage(Func<IResponseEvaluator?> embedded) : IStage
{
    /// <summary>The evaluator of <paramref name="stage"/>: its evaluator plugin, created with <paramref name="create"/>, or
    /// <paramref name="embedded"/>. Dispose it (a plugin's is disposable).</summary>
    public static IResponseEvaluator For(ResolvedStage stage, IResponseEvaluator? embedded, Func<PluginHandle<IEvaluator>> create) =>
        stage.Plugins.ContainsKey(PluginKind.Evaluator) ? new PluginEvaluator(create())
        : embedded ?? throw new InvalidOperationException($"stage '{stage.Id}' has no evaluator (validation requires one)");

    /// <summary>
    /// The evaluator of a recipe outside a run (the report, <c>cai eval --recipe</c>): its last evaluate stage's evaluator
    /// plugin, with the models of <paramref name="models"/> (for the report, the run's model updates replayed, so its policy
    /// is the run's last), or <paramref name="embedded"/>. Dispose it.
    /// </summary>
    public static IResponseEvaluator? OfRecipe(ResolvedRecipe recipe, PluginHost host, ModelRegistry models, IResponseEvaluator? embedded,
        ILogger logger)
    {
        if (recipe.Stages.LastOrDefault(s => s.Kind.Name == "evaluate") is not { } stage
            || !stage.Plugins.TryGetValue(PluginKind.Evaluator, out var binding))
            return embedded;
        var activation = new PluginActivation(models.ForPlugins(), recipe.Constitution, recipe.Recipe.Seed, logger, binding.BindOptions);
        return new PluginEvaluator(host.Create<IEvaluator>(binding.Name, activation));
    }

    public async Task<StageOutcome> RunAsync(StageContext context)
    {
        var evaluator = For(context.Stage, embedded(), () => context.CreatePlugin<IEvaluator>(PluginKind.Evaluator));
        try { return await RunAsync(context, evaluator); }
        finally { (evaluator as IDisposable)?.Dispose(); }
    }

    static async Task<StageOutcome> RunAsync(StageContext context, IResponseEvaluator evaluator)
    {
        var options = context.Options<EvaluateOptions>();
        var prompts = PromptSelection.Of(context, options.PromptSets, options.MaxPrompts);
        // Before sampling anything: a prompt the evaluator cannot label would fail the stage after the work.
        PolicyEvaluation.CheckPrompts(prompts, evaluator, set => context.Recipe.Prompts[set].Path);
        var model = context.Models.Get("policy");
        var store = JsonlRowStore.Open(context.Layout);
        context.Observer.StageStarted(context.Stage.Id, "evaluate", prompts.Count);
        var sampling = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens,
            Temperature = (float)options.Temperature,
            NumReturnSequences = options.Samples,
            BatchSize = options.BatchSize,
        };
        foreach (var batch in ItemBatches.Pending(prompts, options.BatchSize, p => store.Contains($"{p.Set}/{p.Prompt.Id}/0")))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var answers = await PolicyEvaluation.RunAsync(model, evaluator, batch, sampling, context.Seed, context.Stage.Id,
                context.CancellationToken);
            store.AppendBatch(answers.Select(a => ConversationRows.With(new JsonObject
            {
                ["id"] = a.Id,
                ["prompt_set"] = a.Set,
                ["prompt_id"] = a.Prompt.Id,
                ["category"] = a.Prompt.Category,
                ["prompt"] = a.Prompt.Prompt,
                ["completion"] = a.Response,
                ["label"] = a.Label,
                ["model"] = model.Name,
                ["evaluator"] = evaluator.Name,
            }, a.Prompt)));
            context.Observer.StageProgress(context.Stage.Id, store.Rows.Count / Math.Max(1, options.Samples));
        }
        store.Complete();
        var rates = PolicyEvaluation.Rates(store.Rows.Select(r => ((string)r["prompt_set"]!, (string)r["label"]!)));
        return new StageOutcome(store.Rows.Count, rates, new Dictionary<string, string>());
    }
}
