using Cai.Abstractions.Plugins;
using Cai.Abstractions.Training;
using Cai.Core.Plugins;
using Cai.Core.Recipes.Stages;
using Cai.Core.Runs;
using Cai.Models.IO;

namespace Cai.Core.Pipeline.Stages;

/// <summary>
/// train: hands the trainer plugin the current policy (also the frozen reference), the datasets of earlier stages and
/// the reward model if one was trained; the checkpoint it writes replaces the stage's output role (policy by default).
/// </summary>
public sealed class TrainStage : IStage
{
    public async Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<TrainOptions>();
        string policy = context.Models.PathOf("policy");
        var datasets = TrainingDatasets.Write(context, context.Models.Get("policy"));
        using var trainer = context.CreatePlugin<ITrainer>(PluginKind.Trainer);
        context.Observer.StageStarted(context.Stage.Id, $"train ({trainer.Name})", 0);

        string partial = context.Layout.Checkpoint + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        var request = new TrainingRequest(policy, policy, datasets, partial, context.Seed, context.Factory.Device)
        {
            RewardCheckpoint = context.Models.Has("reward") ? context.Models.PathOf("reward") : null,
        };
        var result = await trainer.TrainAsync(request, new TrainingContext(context));
        if (!Directory.Exists(partial))
            throw new PluginException(trainer.Name, null, $"the trainer returned without writing its checkpoint to {partial}");
        AtomicFile.ReplaceDirectory(partial, context.Layout.Checkpoint);
        return new StageOutcome(0, result.Metrics, new Dictionary<string, string> { [options.OutputRole] = context.Layout.Checkpoint });
    }
}
