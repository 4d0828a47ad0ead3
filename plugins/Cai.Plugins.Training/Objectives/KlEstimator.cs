namespace Cai.Plugins.Training.Objectives;

/// <summary>
/// Per-token estimators of KL(π ‖ π_ref) from tokens sampled by π (Schulman, "Approximating KL divergence"),
/// with log r = log π_ref − log π.
/// </summary>
public enum KlEstimator
{
    /// <summary>k1 = −log r = log π − log π_ref: unbiased, can be negative per token.</summary>
    K1,

    /// <summary>k2 = ½·(log r)²: biased, non-negative.</summary>
    K2,

    /// <summary>k3 = (r − 1) − log r: unbiased, non-negative.</summary>
    K3,
}
