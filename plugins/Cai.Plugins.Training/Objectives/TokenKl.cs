using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

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
