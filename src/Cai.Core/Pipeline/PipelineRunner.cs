using System.Diagnostics;
using Cai.Abstractions.Input;
using Cai.Abstractions.Text;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Models.IO;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Pipeline;

/// <summary>
/// Runs a recipe's stages in order in one run folder, every model made by <paramref name="factory"/> (the run's one
/// device and dtype). A stage with a done marker is skipped (its model updates are replayed), so <c>--resume</c>
/// continues where a run stopped; an interrupted stage resumes from its own files. The runner holds the run's
/// <see cref="RunLock"/> while it runs, removes what writers killed mid-write left, and refuses to continue a run whose
/// recipe changed (<see cref="RunManifest.RecipeParts"/>) unless <see cref="AllowChangedRecipe"/>.
/// </summary>
public sealed class PipelineRunner(ResolvedRecipe recipe, PluginHost plugins, ModelFactory factory)
{
    /// <summary>Continue a run whose recipe changed since it began (<c>cai run --allow-changed</c>).</summary>
    public bool AllowChangedRecipe { get; init; }

    /// <summary>The saved step the run's next stage, a training stage, resumes from (<c>cai run --from-step N</c>); null: its
    /// latest save.</summary>
    public long? FromStep { get; init; }

    public async Task RunAsync(RunLayout run, IRunObserver observer, ILogger logger, CancellationToken cancellationToken)
    {
        using var runLock = RunLock.Acquire(run.Root);
        AtomicFile.RemoveLeftovers(run.Root);
        CheckManifest(run, logger);
        var resumed = FromStep is null ? null : StageResumedFromStep(run);
        using var models = ModelRegistry.For(recipe, factory);
        foreach (var stage in recipe.Stages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layout = run.Stage(stage.Id);
            if (layout.IsDone)
            {
                Apply(models, StageMarker.Read(layout).Outcome);
                observer.StageSkipped(stage.Id, "done");
                continue;
            }
            string dtype = stage.Kind.Trains ? DType.Float32.Name() : factory.DType.Name();
            logger.LogInformation("stage {Stage} ({Kind}) starts on {Device} ({Dtype})", stage.Id, stage.Kind.Name, factory.Device, dtype);
            var watch = Stopwatch.StartNew();
            using var memory = PeakMemory.Start(factory.Device);
            RemoteUsage? remoteUsage = null;
            var context = new StageContext(recipe, stage, run, models, factory, plugins, observer, logger, cancellationToken)
            {
                ResumeStep = stage == resumed ? FromStep : null,
            };
            StageOutcome outcome;
            models.BeginStage(layout.Directory);
            try
            {
                outcome = await stage.Kind.Stage.RunAsync(context);
            }
            catch (Exception e) when (OutOfDeviceMemoryException.CauseIn(e) is { } cause)
            {
                throw new OutOfDeviceMemoryException(stage, factory.Device, cause, e);
            }
            finally
            {
                var usage = models.EndStage();
                if (usage.Requests + usage.Cached > 0) remoteUsage = usage;
            }
            if (remoteUsage is not null)
            {
                outcome = outcome with { Metrics = new Dictionary<string, double>([.. outcome.Metrics, .. remoteUsage.Metrics()]) };
                logger.LogInformation("stage {Stage}: served models answered {Requests} requests ({Cached} from the cache, {Retries} retries; "
                    + "{PromptTokens} prompt and {CompletionTokens} completion tokens)", stage.Id, remoteUsage.Requests, remoteUsage.Cached,
                    remoteUsage.Retries, remoteUsage.PromptTokens, remoteUsage.CompletionTokens);
            }
            Apply(models, outcome);
            new StageMarker(stage.Id, stage.Kind.Name, DateTimeOffset.UtcNow, watch.Elapsed.TotalSeconds, outcome, factory.Device, dtype, memory.Stop())
                .Write(layout);
            observer.StageFinished(stage.Id, watch.Elapsed);
        }
    }

    /// <summary>Writes run.json for a new run; for a resumed one, compares the recipe with the one it began with.</summary>
    void CheckManifest(RunLayout run, ILogger logger)
    {
        var manifest = RunManifest.For(recipe, factory, plugins, DateTimeOffset.UtcNow);
        if (!File.Exists(run.RunManifest))
        {
            manifest.Write(run);
            return;
        }
        var earlier = RunManifest.Read(run);
        var changed = manifest.ChangedSince(earlier);
        if (changed.Count == 0) return;
        if (!AllowChangedRecipe)
            throw InputException.ForOption("--resume", $"the recipe changed since the run in {run.Root} began "
                + $"({string.Join(", ", changed)}); start a new run, or continue anyway with --allow-changed");
        logger.LogWarning("continuing {Run} with a changed recipe ({Changed})", run.Root, string.Join(", ", changed));
        (manifest with { CreatedAt = earlier.CreatedAt }).Write(run);
    }

    /// <summary>The stage <see cref="FromStep"/> applies to: the run's next, which must train.</summary>
    ResolvedStage StageResumedFromStep(RunLayout run)
    {
        var next = recipe.Stages.FirstOrDefault(s => !run.Stage(s.Id).IsDone)
            ?? throw InputException.ForOption("--from-step", $"every stage of the run in {run.Root} is done");
        if (!next.Kind.Trains)
            throw InputException.ForOption("--from-step",
                $"the run continues with stage '{next.Id}' ({next.Kind.Name}), which does not train");
        return next;
    }

    static void Apply(ModelRegistry models, StageOutcome outcome)
    {
        foreach (var (role, checkpoint) in outcome.ModelUpdates) models.Replace(role, checkpoint);
    }
}
