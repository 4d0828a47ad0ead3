namespace Cai.Abstractions.Training;

/// <summary>Trains a policy or reward model: SFT, reward model, PPO, DPO, or your own method.</summary>
public interface ITrainer
{
    /// <summary>Trains and writes a checkpoint to <see cref="TrainingRequest.OutputCheckpoint"/>.</summary>
    /// <param name="request">Models, data and output.</param>
    /// <param name="context">Logging, progress, cancellation, metrics and checkpointing.</param>
    Task<TrainingResult> TrainAsync(TrainingRequest request, ITrainingContext context);
}
