using Cai.Abstractions.Training;
using Cai.Core.Runs;
using Cai.Models.Training;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Pipeline.Stages;

/// <summary>The <see cref="ITrainingContext"/> a train stage hands its trainer: metrics.jsonl, progress, resume folder.</summary>
sealed class TrainingContext(StageContext stage) : ITrainingContext, IMetricsSink, IProgress<TrainingProgress>
{
    readonly MetricsLog metrics = Resumed(new MetricsLog(stage.Layout.Metrics), stage.Layout.TrainingState);

    public ILogger Logger => stage.Logger;
    public IProgress<TrainingProgress> Progress => this;
    public CancellationToken CancellationToken => stage.CancellationToken;
    public IMetricsSink Metrics => this;
    public string CheckpointDirectory => stage.Layout.TrainingState;
    public string OutputDirectory => stage.Layout.Directory;

    /// <summary>Rows past the trainer's last resumable save are dropped: the resumed trainer writes them again.</summary>
    static MetricsLog Resumed(MetricsLog log, string trainingState)
    {
        log.TruncateAfter(ResumableCheckpoint.LatestStep(trainingState) ?? 0);
        return log;
    }

    public void Log(long step, IReadOnlyDictionary<string, double> values) => metrics.Write(values, step);

    public void Report(TrainingProgress value) =>
        stage.Observer.StageProgress(stage.Stage.Id, value.Step, value.Loss is { } loss ? $"loss {loss:F3}" : null);
}
