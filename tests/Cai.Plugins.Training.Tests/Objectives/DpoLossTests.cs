using Cai.Models.Training;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class DpoLossTests
{
    // Pair 0: π_c − ref_c = −10 − (−11) = 1, π_r − ref_r = −12 − (−11) = −1, h = 2, β·h = 0.2.
    // Pair 1: π_c − ref_c = −5 − (−4) = −1, π_r − ref_r = −5 − (−6) = 1, h = −2, β·h = −0.2.
    private static DpoLossOutput Run(double labelSmoothing) => DpoLoss.Compute(
        policyChosenLogps: tensor(new[] { -10f, -5f }),
        policyRejectedLogps: tensor(new[] { -12f, -5f }),
        referenceChosenLogps: tensor(new[] { -11f, -4f }),
        referenceRejectedLogps: tensor(new[] { -11f, -6f }),
        beta: 0.1,
        labelSmoothing);

    [Fact]
    public void WithoutSmoothingItIsStandardDpo()
    {
        using var scope = NewDisposeScope();
        // −log σ(0.2) = log(1 + e^−0.2) = 0.5981388694; −log σ(−0.2) = log(1 + e^0.2) = 0.7981388694.
        // Mean (0.5981388694 + 0.7981388694) / 2 = 0.6981388694.
        var output = Run(0.0);
        TensorAssert.Close(0.6981388694, output.Loss);
    }

    [Fact]
    public void LabelSmoothingMatchesTheHandComputedValue()
    {
        using var scope = NewDisposeScope();
        // ε = 0.1, using log(1 + e^x) = x + log(1 + e^−x):
        // pair 0 (β·h = 0.2): 0.9·log(1 + e^−0.2) + 0.1·log(1 + e^0.2) = log(1 + e^−0.2) + 0.1·0.2 = 0.6181388694;
        // pair 1 (β·h = −0.2): 0.9·log(1 + e^0.2) + 0.1·log(1 + e^−0.2) = log(1 + e^−0.2) + 0.9·0.2 = 0.7781388694.
        var pair0 = DpoLoss.Compute(
            tensor(new[] { -10f }), tensor(new[] { -12f }), tensor(new[] { -11f }), tensor(new[] { -11f }), beta: 0.1, labelSmoothing: 0.1);
        var pair1 = DpoLoss.Compute(
            tensor(new[] { -5f }), tensor(new[] { -5f }), tensor(new[] { -4f }), tensor(new[] { -6f }), beta: 0.1, labelSmoothing: 0.1);
        TensorAssert.Close(0.6181388694, pair0.Loss);
        TensorAssert.Close(0.7781388694, pair1.Loss);
        // ε = 0.5 ignores the data's direction: log(1 + e^−0.2) + 0.5·0.2 = 0.6981388694 for either pair.
        TensorAssert.Close(0.6981388694, Run(0.5).Loss);
    }

    [Fact]
    public void SoftLabelsPerPairEqualLabelSmoothingWhenUniform()
    {
        using var scope = NewDisposeScope();
        // Only pair 0 (β·h = 0.2) with p = 0.9: log(1 + e^−0.2) + 0.1·0.2 = 0.6181388694.
        var output = DpoLoss.Compute(
            tensor(new[] { -10f }), tensor(new[] { -12f }), tensor(new[] { -11f }), tensor(new[] { -11f }),
            beta: 0.1, probabilityChosen: tensor(new[] { 0.9f }));
        TensorAssert.Close(0.6181388694, output.Loss);
    }

    [Fact]
    public void ReportsImplicitRewardsAccuracyAndMargin()
    {
        using var scope = NewDisposeScope();
        // Rewards β·(π − ref): chosen [0.1·1, 0.1·(−1)], rejected [0.1·(−1), 0.1·1].
        var output = Run(0.0);
        TensorAssert.Close([0.1, -0.1], output.ChosenRewards);
        TensorAssert.Close([-0.1, 0.1], output.RejectedRewards);
        // Chosen > rejected in pair 0 only → 0.5; margins 0.2 and −0.2 → mean 0.
        TensorAssert.Close(0.5, output.RewardAccuracy);
        TensorAssert.Close(0.0, output.RewardMargin);
    }

    [Fact]
    public void GradientRaisesTheChosenLogProbability()
    {
        using var scope = NewDisposeScope();
        // h = 0, p = 1: dL/dπ_c = −β·σ(−β·h) = −0.1·0.5 = −0.05, and +0.05 for π_r.
        var chosen = zeros(1, requires_grad: true);
        var rejected = zeros(1, requires_grad: true);
        var output = DpoLoss.Compute(chosen, rejected, zeros(1), zeros(1), beta: 0.1);
        output.Loss.backward();
        TensorAssert.Close(-0.05, chosen.grad!);
        TensorAssert.Close(0.05, rejected.grad!);
    }

    [Fact]
    public void InvalidHyperparametersAreRejected()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => DpoLoss.Compute(zeros(1), zeros(1), zeros(1), zeros(1), beta: 0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            DpoLoss.Compute(zeros(1), zeros(1), zeros(1), zeros(1), beta: 0.1, labelSmoothing: 0.6));
    }
}
