using Cai.Abstractions.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cai.Plugins.Training.Tests;

/// <summary>A training context that keeps metric rows and progress reports in memory; <see cref="OnProgress"/> runs
/// synchronously.</summary>
internal sealed class RecordingTrainingContext(string checkpointDirectory) : ITrainingContext, IMetricsSink, IProgress<TrainingProgress>
{
    public List<(long Step, IReadOnlyDictionary<string, double> Row)> Rows { get; } = [];

    public List<TrainingProgress> Reports { get; } = [];

    public Action<TrainingProgress>? OnProgress { get; init; }

    public ILogger Logger => NullLogger.Instance;

    public IProgress<TrainingProgress> Progress => this;

    public CancellationToken CancellationToken { get; init; }

    public IMetricsSink Metrics => this;

    public string CheckpointDirectory { get; } = checkpointDirectory;

    public string OutputDirectory { get; } = Path.Combine(checkpointDirectory, "output");

    public long? ResumeStep { get; init; }

    /// <summary>The step the trainer said it resumes after (<see cref="ITrainingContext.Resuming"/>), or null when it did not.</summary>
    public long? ResumedAt { get; private set; }

    public void Resuming(long step) => ResumedAt = step;

    public void Log(long step, IReadOnlyDictionary<string, double> metrics) => Rows.Add((step, new Dictionary<string, double>(metrics)));

    public void Report(TrainingProgress value)
    {
        Reports.Add(value);
        OnProgress?.Invoke(value);
    }
}
