using System.Diagnostics;
using Cai.Abstractions.Text;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Pipeline;

/// <summary>
/// Runs a recipe's stages in order in one run folder. A stage with a done marker is skipped (its model updates are
/// replayed), so <c>--resume</c> continues where a run stopped; an interrupted stage resumes from its own files.
/// </summary>
public sealed class PipelineRunner(ResolvedRecipe recipe, PluginHost plugins, Func<string, ITextModel> loadModel, StageCatalog stages)
{
    public async Task RunAsync(RunLayout run, IRunObserver observer, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(run.RunManifest)) RunManifest.For(recipe, plugins, DateTimeOffset.UtcNow).Write(run);
        using var models = new ModelRegistry(recipe.Models, loadModel);
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
            logger.LogInformation("stage {Stage} ({Kind}) starts", stage.Id, stage.Kind.Name);
            var watch = Stopwatch.StartNew();
            var context = new StageContext(recipe, stage, run, models, plugins, observer, logger, cancellationToken);
            var outcome = await stages.For(stage.Kind.Name).RunAsync(context);
            Apply(models, outcome);
            new StageMarker(stage.Id, stage.Kind.Name, DateTimeOffset.UtcNow, watch.Elapsed.TotalSeconds, outcome).Write(layout);
            observer.StageFinished(stage.Id, watch.Elapsed);
        }
    }

    static void Apply(ModelRegistry models, StageOutcome outcome)
    {
        foreach (var (role, checkpoint) in outcome.ModelUpdates) models.Replace(role, checkpoint);
    }
}
