using Cai.Abstractions.Plugins;
using Cai.Core.Evaluation;
using Cai.Core.Stages;

namespace Cai.Core.Pipeline;

/// <summary>One stage kind's work. Writes go through the stage folder; the runner writes the done marker.</summary>
public interface IStage
{
    /// <summary>Runs (or resumes) the stage and returns its summary for the done marker.</summary>
    Task<StageOutcome> RunAsync(StageContext context);
}

/// <summary>What a finished stage leaves: row count, summary metrics and the model roles it moved to new checkpoints.</summary>
public sealed record StageOutcome(long Rows, IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, string> ModelUpdates)
{
    public static StageOutcome OfRows(long rows) => new(rows, new Dictionary<string, double>(), new Dictionary<string, string>());
}

/// <summary>A stage kind: its name in <c>use:</c>, its options record (<c>with:</c>), the plugins it takes and its work.</summary>
/// <param name="Name">The name recipes write in <c>use:</c>.</param>
/// <param name="OptionsType">Its options record, deriving from <see cref="StageOptions"/>.</param>
/// <param name="Stage">Its implementation.</param>
/// <param name="Description">One line for <c>cai schema</c>.</param>
public sealed record StageKind(string Name, Type OptionsType, IStage Stage, string Description)
{
    /// <summary>The plugin slots a stage of this kind fills (critic, reviser, judge, trainer).</summary>
    public IReadOnlyList<PluginKind> Plugins { get; init; } = [];

    /// <summary>The kind of the earlier stage whose rows this kind reads (its latest one), or null.</summary>
    public string? Reads { get; init; }

    /// <summary>Whether the stage trains (in float32, whatever the recipe's inference dtype).</summary>
    public bool Trains { get; init; }

    /// <summary>Model roles a stage of this kind makes from nothing (pretrain: policy), so a recipe with one need not give them.</summary>
    public IReadOnlyList<string> Creates { get; init; } = [];
}

/// <summary>
/// The stage kinds a run knows, each with its implementation: Core's own (<see cref="Standard"/>) and those registered
/// from outside (the toy world's pretrain, in Cai.Sandbox). It also holds the independent evaluator that evaluate
/// stages and the report use, when one is registered.
/// </summary>
public sealed class StageRegistry
{
    readonly List<StageKind> _kinds = [];

    /// <summary>The kinds in registration order (the order <c>cai schema</c> and errors list them).</summary>
    public IReadOnlyList<StageKind> All => _kinds;

    /// <summary>The embedded independent evaluator of evaluate stages and of the report, or null when there is none (a recipe's evaluate
    /// stages then name an evaluator plugin).</summary>
    public IResponseEvaluator? Evaluator { get; private set; }

    public StageKind? Find(string name) => _kinds.FirstOrDefault(k => k.Name == name);

    /// <summary>Registers a kind; its name must be new.</summary>
    public StageRegistry Add(StageKind kind)
    {
        if (Find(kind.Name) is not null) throw new ArgumentException($"stage kind '{kind.Name}' is registered twice", nameof(kind));
        if (!typeof(StageOptions).IsAssignableFrom(kind.OptionsType))
            throw new ArgumentException($"{kind.OptionsType} (options of stage kind '{kind.Name}') must derive from {nameof(StageOptions)}",
                nameof(kind));
        _kinds.Add(kind);
        return this;
    }

    /// <summary>The name recipes give the embedded evaluator (<c>evaluator: world</c>), which is also the default.</summary>
    public const string EmbeddedEvaluator = "world";

    /// <summary>Makes <paramref name="evaluator"/> the embedded evaluator: the one evaluate stages and the report use when a
    /// recipe names no evaluator plugin (or names <see cref="EmbeddedEvaluator"/>).</summary>
    public StageRegistry AddEvaluator(IResponseEvaluator evaluator)
    {
        Evaluator = evaluator;
        return this;
    }

    /// <summary>
    /// Core's kinds: generate, critique-revise, train, sample-pairs, label and evaluate (labelled by an evaluator plugin, or by
    /// the embedded <paramref name="evaluator"/> when given).
    /// </summary>
    public static StageRegistry Standard(IResponseEvaluator? evaluator = null)
    {
        var registry = new StageRegistry()
            .Add(new StageKind("generate", typeof(GenerateOptions), new GenerateStage(), "The policy answers prompts."))
            .Add(new StageKind("critique-revise", typeof(CritiqueReviseOptions), new CritiqueReviseStage(),
                "Critique and revise responses for R rounds (SL-CAI).")
            { Plugins = [PluginKind.Critic, PluginKind.Reviser], Reads = "generate" })
            .Add(new StageKind("train", typeof(TrainOptions), new TrainStage(), "Train with a trainer plugin (sft, reward, ppo, dpo, ...).")
            { Plugins = [PluginKind.Trainer], Trains = true })
            .Add(new StageKind("sample-pairs", typeof(SamplePairsOptions), new SamplePairsStage(),
                "Sample several responses per prompt (RL-CAI)."))
            .Add(new StageKind("label", typeof(LabelOptions), new LabelStage(), "Label response pairs with a judge (AI feedback).")
            { Plugins = [PluginKind.Judge], Reads = "sample-pairs" });
        registry.Add(new StageKind("evaluate", typeof(EvaluateOptions), new EvaluateStage(() => registry.Evaluator),
            "Evaluate on held-out prompts.")
        { Plugins = [PluginKind.Evaluator] });
        return evaluator is null ? registry : registry.AddEvaluator(evaluator);
    }
}
