using Cai.Plugins.Feedback.Judging;

namespace Cai.Plugins.Feedback.Tests.Judging;

public class JudgeAgreementTests
{
    [Fact]
    public void PairwiseCountsAgreeingPairsOfMembers()
    {
        // Decisions A, A, B: pairs (0,1) agree, (0,2) and (1,2) do not → 1/3.
        Assert.Equal(1.0 / 3.0, JudgeAgreement.Pairwise([0.9, 0.6, 0.3]), 1e-12);
        // Decisions Tie, Tie, A: only (0,1) agrees → 1/3.
        Assert.Equal(1.0 / 3.0, JudgeAgreement.Pairwise([0.5, 0.5, 0.8]), 1e-12);
        // Decisions A, A, A, B: 3 of the 6 pairs agree → 1/2.
        Assert.Equal(0.5, JudgeAgreement.Pairwise([0.9, 0.8, 0.7, 0.1]), 1e-12);
        Assert.Throws<ArgumentException>(() => JudgeAgreement.Pairwise([0.9]));
    }

    [Fact]
    public void PairwiseOverABatchIsTheMeanOverItems()
    {
        // Item 0: A, A, B → 1/3. Item 1: B, B, B → 1. Mean (1/3 + 1) / 2 = 2/3.
        double[][] members = [[0.9, 0.2], [0.6, 0.4], [0.3, 0.45]];
        Assert.Equal(2.0 / 3.0, JudgeAgreement.Pairwise(members), 1e-12);
    }

    [Fact]
    public void BetweenComparesDecisionsItemByItem()
    {
        // A=A, B=B, Tie=Tie, A≠B → 3/4. Works for a member against the ensemble, or a judge against the evaluator.
        Assert.Equal(0.75, JudgeAgreement.Between([0.9, 0.2, 0.5, 0.6], [1.0, 0.0, 0.5, 0.0]), 1e-12);
        Assert.True(double.IsNaN(JudgeAgreement.Between([], [])));
        Assert.Throws<ArgumentException>(() => JudgeAgreement.Between([0.9], [1.0, 0.0]));
    }
}
