using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class BradleyTerryLossTests
{
    [Fact]
    public void HardLabelIsTheLogisticLoss()
    {
        using var scope = NewDisposeScope();
        // d = r_A − r_B = 1, p = 1: −log σ(1) = log(1 + e⁻¹) = 0.31326168751822286.
        var loss = BradleyTerryLoss.Compute(tensor(new[] { 1f }), tensor(new[] { 0f }), tensor(new[] { 1f }));
        TensorAssert.Close(0.31326168751822286, loss);
    }

    [Fact]
    public void SoftLabelsMixBothDirectionsAndTheBatchIsAveraged()
    {
        using var scope = NewDisposeScope();
        // Pair 0: d = 2 − 1 = 1, p = 0.75: 0.75·log(1 + e⁻¹) + 0.25·log(1 + e)
        //   and log(1 + e) = 1 + log(1 + e⁻¹), so = log(1 + e⁻¹) + 0.25 = 0.5632616875.
        // Pair 1: d = 0, p = 0.5: log 2 = 0.6931471806.
        var perPair = BradleyTerryLoss.PerPair(tensor(new[] { 2f, 0f }), tensor(new[] { 1f, 0f }), tensor(new[] { 0.75f, 0.5f }));
        TensorAssert.Close([0.5632616875, 0.6931471806], perPair);
        // Mean (0.5632616875 + 0.6931471806) / 2 = 0.6282044340.
        var loss = BradleyTerryLoss.Compute(tensor(new[] { 2f, 0f }), tensor(new[] { 1f, 0f }), tensor(new[] { 0.75f, 0.5f }));
        TensorAssert.Close(0.6282044340, loss);
    }

    [Fact]
    public void LargeMarginsStayFinite()
    {
        using var scope = NewDisposeScope();
        // d = −100, p = 1: −log σ(−100) = log(1 + e¹⁰⁰) ≈ 100; a naive log(sigmoid) would give +inf in float32.
        var loss = BradleyTerryLoss.Compute(tensor(new[] { 0f }), tensor(new[] { 100f }), tensor(new[] { 1f }));
        TensorAssert.Close(100.0, loss);
    }

    [Fact]
    public void GradientRaisesThePreferredReward()
    {
        using var scope = NewDisposeScope();
        // dL/dd = σ(d) − p. At d = 0: p = 1 gives −0.5, p = 0.75 gives −0.25; dL/dr_B = −dL/dr_A.
        var rewardsA = zeros(2, requires_grad: true);
        var rewardsB = zeros(2, requires_grad: true);
        var loss = BradleyTerryLoss.PerPair(rewardsA, rewardsB, tensor(new[] { 1f, 0.75f })).sum();
        loss.backward();
        TensorAssert.Close([-0.5, -0.25], rewardsA.grad!);
        TensorAssert.Close([0.5, 0.25], rewardsB.grad!);
    }

    [Fact]
    public void AccuracyExcludesUndecidedLabelsAndHalvesRewardTies()
    {
        using var scope = NewDisposeScope();
        // 0: d = 1 > 0, p = 0.9 → right (1). 1: d = −1, p = 0.2 → right (1). 2: d = 0 → 0.5.
        // 3: p = 0.5 → excluded. 4: d = −4, p = 0.7 → wrong (0). (1 + 1 + 0.5 + 0) / 4 = 0.625.
        double accuracy = BradleyTerryLoss.Accuracy(
            tensor(new[] { 2f, 0f, 1f, 3f, 1f }),
            tensor(new[] { 1f, 1f, 1f, 0f, 5f }),
            tensor(new[] { 0.9f, 0.2f, 0.8f, 0.5f, 0.7f }));
        Assert.Equal(0.625, accuracy, 1e-12);
    }

    [Fact]
    public void MismatchedShapesAreRejected()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => BradleyTerryLoss.Compute(zeros(2), zeros(3), zeros(2)));
    }
}
