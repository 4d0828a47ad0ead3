using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Cai.Models.Training;

/// <summary>
/// DPO (Rafailov et al. 2023) with soft labels: −p·log σ(β·h) − (1 − p)·log σ(−β·h),
/// h = (log π(chosen) − log π_ref(chosen)) − (log π(rejected) − log π_ref(rejected)).
/// Log-probs are summed per sequence, [batch]. Label smoothing ε is p = 1 − ε for every pair; ε = 0 is standard DPO.
/// The dpo trainer's objective, and the benchmark's DPO step.
/// </summary>
public static class DpoLoss
{
    /// <summary>DPO with label smoothing ε: every pair has P(chosen is better) = 1 − ε.</summary>
    public static DpoLossOutput Compute(
        Tensor policyChosenLogps,
        Tensor policyRejectedLogps,
        Tensor referenceChosenLogps,
        Tensor referenceRejectedLogps,
        double beta,
        double labelSmoothing = 0.0)
    {
        if (!(labelSmoothing >= 0.0 && labelSmoothing <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 0.5].");
        using var scope = NewDisposeScope();
        var probabilityChosen = full_like(policyChosenLogps, 1.0 - labelSmoothing);
        var output = Compute(policyChosenLogps, policyRejectedLogps, referenceChosenLogps, referenceRejectedLogps, beta, probabilityChosen);
        return Keep(output);
    }

    /// <summary>DPO with a soft label per pair.</summary>
    /// <param name="policyChosenLogps">Summed log π of each chosen response, [batch].</param>
    /// <param name="policyRejectedLogps">Summed log π of each rejected response, [batch].</param>
    /// <param name="referenceChosenLogps">Summed log π_ref of each chosen response, [batch].</param>
    /// <param name="referenceRejectedLogps">Summed log π_ref of each rejected response, [batch].</param>
    /// <param name="beta">β: the strength of the implicit KL constraint.</param>
    /// <param name="probabilityChosen">P(chosen is better), [batch].</param>
    public static DpoLossOutput Compute(
        Tensor policyChosenLogps,
        Tensor policyRejectedLogps,
        Tensor referenceChosenLogps,
        Tensor referenceRejectedLogps,
        double beta,
        Tensor probabilityChosen)
    {
        if (!(beta > 0.0))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be positive.");
        using var scope = NewDisposeScope();
        var chosenLogRatios = policyChosenLogps - referenceChosenLogps;
        var rejectedLogRatios = policyRejectedLogps - referenceRejectedLogps;
        var logits = beta * (chosenLogRatios - rejectedLogRatios);
        var p = probabilityChosen.to_type(logits.dtype);
        var loss = (-(p * logsigmoid(logits)) - (1.0 - p) * logsigmoid(-logits)).mean();

        var chosenRewards = (beta * chosenLogRatios).detach();
        var rejectedRewards = (beta * rejectedLogRatios).detach();
        var accuracy = chosenRewards.gt(rejectedRewards).to_type(chosenRewards.dtype).mean();
        var margin = (chosenRewards - rejectedRewards).mean();
        return Keep(new DpoLossOutput(loss, chosenRewards, rejectedRewards, accuracy, margin));
    }

    private static DpoLossOutput Keep(DpoLossOutput output)
    {
        output.Loss.MoveToOuterDisposeScope();
        output.ChosenRewards.MoveToOuterDisposeScope();
        output.RejectedRewards.MoveToOuterDisposeScope();
        output.RewardAccuracy.MoveToOuterDisposeScope();
        output.RewardMargin.MoveToOuterDisposeScope();
        return output;
    }
}

/// <summary>DPO loss and its logging quantities; rewards are detached.</summary>
/// <param name="Loss">Scalar mean loss.</param>
/// <param name="ChosenRewards">Implicit rewards β·(log π − log π_ref) of the chosen responses, [batch].</param>
/// <param name="RejectedRewards">The same for the rejected responses, [batch].</param>
/// <param name="RewardAccuracy">Scalar: fraction of pairs with chosen reward &gt; rejected reward.</param>
/// <param name="RewardMargin">Scalar: mean of chosen − rejected rewards.</param>
public sealed record DpoLossOutput(
    Tensor Loss,
    Tensor ChosenRewards,
    Tensor RejectedRewards,
    Tensor RewardAccuracy,
    Tensor RewardMargin);
