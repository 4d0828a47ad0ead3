using Cai.Abstractions.Training;
using Cai.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Pipeline.Stages;

/// <summary>The <see cref="ITrainingContext"/> a train stage hands its trainer: metrics.jsonl, progress, resume folder.</summary>
sealed class TrainingContext(StageContext stage) : ITrainingContext, IMetricsSink, IProgress<TrainingProgress>
{
    readonly MetricsLog metrics = new(stage.Layout.Metrics);

    public ILogger Logger => stage.Logger;
    public IProgress<TrainingProgress> Progress => this;
    public CancellationToken CancellationToken => stage.CancellationToken;
    public IMetricsSink Metrics => this;
    public string CheckpointDirectory => stage.Layout.TrainingState;

    public void Log(long step, IReadOnlyDictionary<string, double> values) => metrics.Write(values, step);

    public void Report(TrainingProgress value) =>
        stage.Observer.StageProgress(stage.Stage.Id, value.Step, value.Loss is { } loss ? $"loss {loss:F3}" : null);
}
