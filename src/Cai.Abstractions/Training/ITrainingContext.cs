using Microsoft.Extensions.Logging;

namespace Cai.Abstractions.Training;

/// <summary>What the host gives a running trainer: logging, progress, cancellation, metrics and checkpointing.</summary>
public interface ITrainingContext
{
    /// <summary>Where the trainer logs.</summary>
    ILogger Logger { get; }

    /// <summary>Progress reports, shown by the CLI.</summary>
    IProgress<TrainingProgress> Progress { get; }

    /// <summary>Cancels training; stop at the next step and save a resumable checkpoint.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>Per-step metrics.</summary>
    IMetricsSink Metrics { get; }

    /// <summary>
    /// A directory owned by this training stage for intermediate checkpoints (model, optimizer, step). If it holds
    /// a checkpoint when training starts, the trainer resumes from it. Write into it atomically.
    /// </summary>
    string CheckpointDirectory { get; }

    /// <summary>
    /// The training stage's own folder, kept with the run, for the trainer's inspection artifacts (for instance the
    /// reward model's held-out predictions). Write into it atomically.
    /// </summary>
    string OutputDirectory { get; }
}
