using System.Diagnostics;
using Cai.Abstractions.Text;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Pipeline;

/// <summary>
/// Runs a recipe's stages in order in one run folder, every model made by <paramref name="factory"/> (the run's one
/// device and dtype). A stage with a done marker is skipped (its model updates are replayed), so <c>--resume</c>
/// continues where a run stopped; an interrupted stage resumes from its own files.
/// </summary>
public sealed class PipelineRunner(ResolvedRecipe recipe, PluginHost plugins, ModelFactory factory)
{
    public async Task RunAsync(RunLayout run, IRunObserver observer, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(run.RunManifest)) RunManifest.For(recipe, factory, plugins, DateTimeOffset.UtcNow).Write(run);
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
            var context = new StageContext(recipe, stage, run, models, factory, plugins, observer, logger, cancellationToken);
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

    static void Apply(ModelRegistry models, StageOutcome outcome)
    {
        foreach (var (role, checkpoint) in outcome.ModelUpdates) models.Replace(role, checkpoint);
    }
}
