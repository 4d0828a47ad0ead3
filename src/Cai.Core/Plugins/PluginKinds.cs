using Cai.Abstractions.Evaluation;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Training;

namespace Cai.Core.Plugins;

/// <summary>Maps contract interfaces to plugin kinds.</summary>
public static class PluginKinds
{
    public static readonly IReadOnlyList<(Type Contract, PluginKind Kind)> Contracts =
    [
        (typeof(ICritic), PluginKind.Critic), (typeof(IReviser), PluginKind.Reviser),
        (typeof(IJudge), PluginKind.Judge), (typeof(ITrainer), PluginKind.Trainer), (typeof(IEvaluator), PluginKind.Evaluator),
    ];

    public static PluginKind Of<T>() =>
        Contracts.FirstOrDefault(c => c.Contract == typeof(T)) is { Contract: not null } match
            ? match.Kind
            : throw new ArgumentException($"{typeof(T)} is not a plugin contract (ICritic, IReviser, IJudge, ITrainer, IEvaluator)");

    /// <summary>Lower-case kind name as used in recipes and listings: critic, reviser, judge, trainer, evaluator.</summary>
    public static string Key(this PluginKind kind) => kind.ToString().ToLowerInvariant();
}
