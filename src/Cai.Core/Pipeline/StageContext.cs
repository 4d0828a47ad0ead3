using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Stages;
using Cai.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Pipeline;

/// <summary>What a stage works with: the recipe, its own folder, earlier stages, models and the factory that makes them, plugins, seed and reporting.</summary>
public sealed record StageContext(
    ResolvedRecipe Recipe,
    ResolvedStage Stage,
    RunLayout Run,
    ModelRegistry Models,
    ModelFactory Factory,
    PluginHost Plugins,
    IRunObserver Observer,
    ILogger Logger,
    CancellationToken CancellationToken)
{
    public StageLayout Layout => Run.Stage(Stage.Id);

    public long Seed => Recipe.Recipe.Seed;

    /// <summary>The saved step a training stage resumes from (<c>cai run --from-step N</c>); null: its latest save.</summary>
    public long? ResumeStep { get; init; }

    public T Options<T>() where T : StageOptions => (T)Stage.Options;

    /// <summary>The latest earlier stage of a kind, whose data this stage consumes; with <paramref name="among"/>, the latest of those ids.</summary>
    public ResolvedStage? Latest(string kind, IReadOnlyCollection<string>? among = null)
    {
        int index = Recipe.Stages.ToList().FindIndex(s => s.Id == Stage.Id);
        return Recipe.Stages.Take(index).LastOrDefault(s => s.Kind.Name == kind && (among is null || among.Contains(s.Id)));
    }

    public ResolvedStage RequireLatest(string kind) =>
        Latest(kind) ?? throw new InvalidOperationException($"stage '{Stage.Id}' ({Stage.Kind.Name}) needs an earlier '{kind}' stage");

    /// <summary>A live plugin for this stage, with the stage's with: bound to its options.</summary>
    public PluginHandle<T> CreatePlugin<T>(PluginKind kind) where T : class
    {
        var binding = Stage.Plugin(kind);
        var activation = new PluginActivation(Models.ForPlugins(), Recipe.Constitution, Seed, Logger, binding.BindOptions);
        // Member judges of an ensemble: same host, same with: binding (each binds only its own keys); the ensemble disposes them.
        var withMembers = activation with { ResolveJudge = name => new MemberJudge(Plugins.Create<IJudge>(name, activation)) };
        return Plugins.Create<T>(binding.Name, withMembers);
    }
}
