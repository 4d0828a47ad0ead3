namespace Cai.Abstractions.Training;

/// <summary>Files a trainer writes into its <see cref="ITrainingContext.OutputDirectory"/> that the host reads back.</summary>
public static class TrainingArtifacts
{
    /// <summary>
    /// A reward trainer's scores of its held-out comparisons, one JSON object per line: id, p_chosen (the reward
    /// model's probability that the chosen response is better), reward_chosen, reward_rejected.
    /// </summary>
    public const string RewardModelPredictions = "eval_predictions.jsonl";
}
