using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Cai.Plugins.Training.Objectives;

/// <summary>
/// Reward model objective with soft targets: −[p·log σ(r_A − r_B) + (1 − p)·log σ(r_B − r_A)],
/// where p is the label's P(A preferred). Rewards and labels are [batch].
/// </summary>
public static class BradleyTerryLoss
{
    /// <summary>Mean loss over the batch.</summary>
    public static Tensor Compute(Tensor rewardsA, Tensor rewardsB, Tensor probabilityA)
    {
        using var scope = NewDisposeScope();
        return PerPair(rewardsA, rewardsB, probabilityA).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Loss of each pair, [batch].</summary>
    public static Tensor PerPair(Tensor rewardsA, Tensor rewardsB, Tensor probabilityA)
    {
        CheckShapes(rewardsA, rewardsB, probabilityA);
        using var scope = NewDisposeScope();
        var margin = rewardsA - rewardsB;
        var p = probabilityA.to_type(margin.dtype);
        var loss = -(p * logsigmoid(margin) + (1.0 - p) * logsigmoid(-margin));
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Fraction of pairs whose reward order agrees with the label (p &gt; 0.5 means A is better).
    /// Pairs labelled exactly 0.5 are excluded; equal rewards count 0.5. NaN when no pair is decided.
    /// </summary>
    public static double Accuracy(Tensor rewardsA, Tensor rewardsB, Tensor probabilityA)
    {
        CheckShapes(rewardsA, rewardsB, probabilityA);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rewardSign = (rewardsA - rewardsB).to_type(ScalarType.Float64).sign();
        var labelSign = (probabilityA.to_type(ScalarType.Float64) - 0.5).sign();
        var decided = labelSign.abs();
        // rewardSign·labelSign is 1 (agree), −1 (disagree) or 0 (equal rewards): mapped to 1, 0, 0.5.
        var score = (rewardSign * labelSign + 1.0) * 0.5 * decided;
        return score.sum().item<double>() / decided.sum().item<double>();
    }

    private static void CheckShapes(Tensor rewardsA, Tensor rewardsB, Tensor probabilityA)
    {
        if (!rewardsA.shape.SequenceEqual(rewardsB.shape) || !rewardsA.shape.SequenceEqual(probabilityA.shape))
            throw new ArgumentException(
                $"Shapes differ: r_A [{string.Join(", ", rewardsA.shape)}], r_B [{string.Join(", ", rewardsB.shape)}], "
                + $"p [{string.Join(", ", probabilityA.shape)}].");
    }
}
