namespace Cai.Abstractions.Training;

/// <summary>What a trainer trains, on what, and where the result goes.</summary>
/// <param name="PolicyCheckpoint">Directory of the starting checkpoint (Hugging Face layout).</param>
/// <param name="ReferenceCheckpoint">Directory of the frozen reference model (PPO, DPO), or null.</param>
/// <param name="Datasets">JSONL files with TRL-style columns (prompt/completion, chosen/rejected, p_chosen, ...).</param>
/// <param name="OutputCheckpoint">Directory the trained checkpoint is written to (Hugging Face layout).</param>
/// <param name="Seed">Seed of data order, initialisation and sampling.</param>
/// <param name="Device">The run's device as TorchSharp names it: "cpu", "cuda" or "cuda:N" (resolved from the recipe's "auto"; it exists). Make every model here (policy, reference, reward, value head).</param>
public sealed record TrainingRequest(
    string PolicyCheckpoint, string? ReferenceCheckpoint, IReadOnlyList<string> Datasets,
    string OutputCheckpoint, long Seed, string Device)
{
    /// <summary>Directory of the trained reward model (PPO), or null when the run has none.</summary>
    public string? RewardCheckpoint { get; init; }

    /// <summary>
    /// The built-in chat format the recipe chose for the policy (e.g. "chatml"), or null to keep the checkpoint's own.
    /// Trainers load the policy's tokenizer with it and save it with the trained checkpoint.
    /// </summary>
    public string? ChatFormat { get; init; }
}

/// <summary>What a trainer produced.</summary>
/// <param name="CheckpointDirectory">The trained checkpoint's directory.</param>
/// <param name="Metrics">Final metrics, e.g. "loss", "accuracy", "kl".</param>
public sealed record TrainingResult(string CheckpointDirectory, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Progress of a training run, reported through <see cref="ITrainingContext.Progress"/>.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Optimizer steps planned.</param>
/// <param name="Epoch">Current epoch (fractional).</param>
/// <param name="Loss">Latest training loss, if known.</param>
public sealed record TrainingProgress(long Step, long TotalSteps, double Epoch, double? Loss);
