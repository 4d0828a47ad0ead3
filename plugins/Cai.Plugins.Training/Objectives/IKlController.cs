namespace Cai.Plugins.Training.Objectives;

/// <summary>Supplies the KL penalty coefficient (β, kl_coef) for PPO rewards.</summary>
public interface IKlController
{
    double KlCoef { get; }

    /// <summary>Observes the mean KL of the latest rollout batch.</summary>
    /// <param name="currentKl">Mean sequence KL(π ‖ π_ref) of the batch.</param>
    /// <param name="steps">Samples in the batch (TRL's n_steps).</param>
    void Update(double currentKl, long steps);
}
