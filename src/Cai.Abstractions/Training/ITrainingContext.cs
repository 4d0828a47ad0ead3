using Microsoft.Extensions.Logging;

namespace Cai.Abstractions.Training;

/// <summary>What the host gives a running trainer: logging, progress, cancellation, metrics and checkpointing.</summary>
public interface ITrainingContext
{
    /// <summary>Where the trainer logs.</summary>
    ILogger Logger { get; }

    /// <summary>Progress reports, shown by the CLI.</summary>
    IProgress<TrainingProgress> Progress { get; }

    /// <summary>
    /// Cancels training (SIGTERM, Ctrl-C): save a resumable checkpoint at the next step boundary, then throw
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    CancellationToken CancellationToken { get; }

    /// <summary>Per-step metrics.</summary>
    IMetricsSink Metrics { get; }

    /// <summary>
    /// A directory owned by this training stage for intermediate checkpoints (model, optimizer, RNG, data position). If it
    /// holds a checkpoint when training starts, the trainer resumes from it (from <see cref="ResumeStep"/> when set) and
    /// tells the host where through <see cref="Resuming"/>. Write into it atomically. Only the trainer reads it.
    /// </summary>
    string CheckpointDirectory { get; }

    /// <summary>
    /// The saved step to resume from, chosen by the user (<c>cai run --from-step N</c>); null: the latest save. A trainer
    /// without a save at this step fails with an <see cref="Input.InputException"/> naming the steps it keeps.
    /// </summary>
    long? ResumeStep => null;

    /// <summary>
    /// Tells the host the step training continues after: the step of the save the trainer loaded, or 0 when it starts
    /// afresh. Call it once, before the first metrics row; the host drops the rows logged after that step, which the
    /// resumed trainer logs again, so the stage's metrics equal an uninterrupted run's. A trainer that never calls it is
    /// taken to start afresh.
    /// </summary>
    /// <param name="step">The step of the loaded save (a trainer's own unit: optimizer steps, PPO iterations).</param>
    void Resuming(long step) { }

    /// <summary>
    /// The training stage's own folder, kept with the run, for the trainer's inspection artifacts (for instance the
    /// reward model's held-out predictions). Write into it atomically.
    /// </summary>
    string OutputDirectory { get; }
}
