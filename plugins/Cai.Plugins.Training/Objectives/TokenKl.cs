using static TorchSharp.torch;

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

/// <summary>KL(π ‖ π_ref) estimated at each sampled token; inputs are log-probs of the sampled tokens, [batch, seq].</summary>
public static class TokenKl
{
    public static Tensor Estimate(Tensor logprobs, Tensor referenceLogprobs, KlEstimator estimator)
    {
        using var scope = NewDisposeScope();
        var logRatio = referenceLogprobs - logprobs;
        var kl = estimator switch
        {
            KlEstimator.K1 => -logRatio,
            KlEstimator.K2 => 0.5 * logRatio * logRatio,
            KlEstimator.K3 => logRatio.exp() - 1.0 - logRatio,
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, null),
        };
        return kl.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// KL between the rollout policy and the current one, for early stopping inside PPO epochs:
/// masked mean of ½·(log π − log π_old)² (the k2 estimator, as TRL's approxkl). Detached.
/// </summary>
public static class ApproximateKl
{
    public static Tensor Compute(Tensor logprobs, Tensor oldLogprobs, Tensor mask)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var kl = TokenKl.Estimate(logprobs, oldLogprobs, KlEstimator.K2);
        return Masked.Mean(kl, mask).MoveToOuterDisposeScope();
    }
}
