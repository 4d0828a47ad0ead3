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

/// <summary>A constant kl_coef.</summary>
public sealed class FixedKlController(double klCoef) : IKlController
{
    public double KlCoef { get; } = klCoef >= 0.0
        ? klCoef
        : throw new ArgumentOutOfRangeException(nameof(klCoef), klCoef, "kl_coef must be non-negative.");

    public void Update(double currentKl, long steps)
    {
    }
}

/// <summary>
/// Ziegler et al. 2019: kl_coef ← kl_coef·(1 + clip(KL/target − 1, −0.2, 0.2)·steps/horizon),
/// driving the observed KL toward <see cref="Target"/>.
/// </summary>
public sealed class AdaptiveKlController : IKlController
{
    public AdaptiveKlController(double initialKlCoef, double target, long horizon)
    {
        if (!(initialKlCoef > 0.0))
            throw new ArgumentOutOfRangeException(nameof(initialKlCoef), initialKlCoef, "The initial kl_coef must be positive.");
        if (!(target > 0.0))
            throw new ArgumentOutOfRangeException(nameof(target), target, "The target KL must be positive.");
        if (horizon <= 0)
            throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be positive.");
        KlCoef = initialKlCoef;
        Target = target;
        Horizon = horizon;
    }

    public double KlCoef { get; private set; }

    public double Target { get; }

    public long Horizon { get; }

    public void Update(double currentKl, long steps)
    {
        double proportionalError = Math.Clamp(currentKl / Target - 1.0, -0.2, 0.2);
        KlCoef *= 1.0 + proportionalError * steps / Horizon;
    }
}
