using Cai.Models.Training;

namespace Cai.Models.Tests;

public class TrainingDataTests
{
    private const long X = CausalLMBatch.IgnoreIndex;

    [Fact]
    public void PaddedBatchLabelsOnlyCompletionTokens()
    {
        var batch = BatchCollator.Pad([new([1, 2, 3], [4, 5]), new([6], [7])], padTokenId: 0, maxLength: 16);

        Assert.Equal(5, batch.SequenceLength);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 0, 0, 0], batch.InputIds);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], batch.AttentionMask);
        Assert.Equal([X, X, X, 4, 5, X, 7, X, X, X], batch.Labels);
        Assert.Equal(3, batch.LossTokenCount);
        Assert.Equal(7, batch.TokenCount);
    }

    [Fact]
    public void PaddedBatchTruncatesToMaxLength()
    {
        var batch = BatchCollator.Pad([new([1, 2, 3], [4, 5, 6])], padTokenId: 0, maxLength: 4);
        Assert.Equal([1, 2, 3, 4], batch.InputIds);
        Assert.Equal([X, X, X, 4], batch.Labels);
    }

    [Fact]
    public void PackingSeparatesDocumentsWithEosAndDropsThePartialBlock()
    {
        var blocks = DocumentPacker.Pack([[1, 2], [3, 4, 5], [6], [7]], eosTokenId: 0, blockSize: 3);

        Assert.Equal([[1, 2, 0], [3, 4, 5], [0, 6, 0]], blocks);
        var batch = BatchCollator.Blocks(blocks);
        Assert.Equal(batch.InputIds, batch.Labels);
        Assert.Equal(6, batch.LossTokenCount);
    }

    [Fact]
    public void ShuffleIsSeededPerEpochAndCoversEveryIndexOnce()
    {
        var a = BatchPlanner.Shuffled(25, 4, seed: 3, epoch: 0);
        Assert.Equal(a, BatchPlanner.Shuffled(25, 4, seed: 3, epoch: 0));
        Assert.NotEqual(a, BatchPlanner.Shuffled(25, 4, seed: 3, epoch: 1));
        Assert.NotEqual(a, BatchPlanner.Shuffled(25, 4, seed: 4, epoch: 0));
        Assert.Equal(Enumerable.Range(0, 25), a.SelectMany(b => b).Order());
        Assert.Equal(7, a.Count);
    }

    [Fact]
    public void LengthBucketingGroupsSimilarLengths()
    {
        int[] lengths = [.. Enumerable.Range(0, 100).Select(i => (i * 37) % 100)];
        var batches = BatchPlanner.LengthBucketed(lengths, batchSize: 10, seed: 1, epoch: 0, bucketBatches: 10);

        Assert.Equal(Enumerable.Range(0, 100), batches.SelectMany(b => b).Order());
        // One window holds everything, so each batch is ten consecutive lengths.
        Assert.All(batches, b => Assert.Equal(9, b.Max(i => lengths[i]) - b.Min(i => lengths[i])));
        Assert.NotEqual(batches.Select(b => b.Max(i => lengths[i])).OrderDescending(), batches.Select(b => b.Max(i => lengths[i])));
        Assert.Equal(batches, BatchPlanner.LengthBucketed(lengths, 10, 1, 0, 10));
    }
}
