using Cai.Plugins.Feedback.Judges;

namespace Cai.Plugins.Feedback.Tests.Judges;

public class EnsembleLabelTests
{
    [Fact]
    public void MeanAveragesProbabilities()
    {
        // (0.9 + 0.6 + 0.3) / 3 = 0.6.
        Assert.Equal(0.6, EnsembleLabel.Combine([0.9, 0.6, 0.3], EnsembleCombination.Mean), 1e-12);
    }

    [Fact]
    public void MajorityVoteGivesAHardLabel()
    {
        // Votes A, A, B → A wins: 1.
        Assert.Equal(1.0, EnsembleLabel.Combine([0.9, 0.6, 0.3], EnsembleCombination.MajorityVote));
        // Votes B, B, A → 0, although the mean (0.49 + 0.45 + 0.99) / 3 = 0.643 prefers A.
        Assert.Equal(0.0, EnsembleLabel.Combine([0.49, 0.45, 0.99], EnsembleCombination.MajorityVote));
    }

    [Fact]
    public void MajorityVoteTiesGiveOneHalfAndExactHalvesAbstain()
    {
        // One vote each way.
        Assert.Equal(0.5, EnsembleLabel.Combine([0.9, 0.2], EnsembleCombination.MajorityVote));
        // A, abstain, B.
        Assert.Equal(0.5, EnsembleLabel.Combine([0.7, 0.5, 0.3], EnsembleCombination.MajorityVote));
        // Abstain, abstain, B → B wins 1 to 0.
        Assert.Equal(0.0, EnsembleLabel.Combine([0.5, 0.5, 0.2], EnsembleCombination.MajorityVote));
        // Everybody abstains.
        Assert.Equal(0.5, EnsembleLabel.Combine([0.5, 0.5], EnsembleCombination.MajorityVote));
    }

    [Fact]
    public void BatchCombinesEachItemAcrossMembers()
    {
        double[][] members = [[0.9, 0.2], [0.6, 0.4], [0.3, 0.45]];
        // Item 0: (0.9 + 0.6 + 0.3) / 3 = 0.6; item 1: (0.2 + 0.4 + 0.45) / 3 = 0.35.
        double[] mean = EnsembleLabel.Combine(members, EnsembleCombination.Mean);
        Assert.Equal(0.6, mean[0], 1e-12);
        Assert.Equal(0.35, mean[1], 1e-12);
        // Item 0: A, A, B → 1; item 1: B, B, B → 0.
        Assert.Equal([1.0, 0.0], EnsembleLabel.Combine(members, EnsembleCombination.MajorityVote));
    }

    [Fact]
    public void RejectsEmptyOrRaggedEnsembles()
    {
        Assert.Throws<ArgumentException>(() => EnsembleLabel.Combine(ReadOnlySpan<double>.Empty, EnsembleCombination.Mean));
        Assert.Throws<ArgumentException>(() => EnsembleLabel.Combine(new double[][] { [0.1, 0.2], [0.3] }, EnsembleCombination.Mean));
    }
}
