namespace Cai.Models.Training;

/// <summary>
/// Deterministic batch order by seed and epoch: shuffled index batches, optionally length-bucketed (examples of
/// similar length batched together to save padding, batch order still shuffled).
/// </summary>
public static class BatchPlanner
{
    /// <summary>Index batches of <paramref name="count"/> items for one epoch; the last batch may be smaller.</summary>
    public static List<int[]> Shuffled(int count, int batchSize, int seed, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Chunk(Permutation(count, seed, epoch), batchSize);
    }

    /// <summary>
    /// Like <see cref="Shuffled"/>, but each window of <paramref name="bucketBatches"/> batches is sorted by length
    /// (longest first) before being cut into batches, as Hugging Face's group_by_length does.
    /// </summary>
    public static List<int[]> LengthBucketed(IReadOnlyList<int> lengths, int batchSize, int seed, int epoch, int bucketBatches = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBatches, 1);
        int[] order = Permutation(lengths.Count, seed, epoch);
        var batches = new List<int[]>();
        foreach (int[] window in Chunk(order, batchSize * bucketBatches))
            batches.AddRange(Chunk([.. window.OrderByDescending(i => lengths[i]).ThenBy(i => i)], batchSize));
        var random = new Random(HashCode(seed, epoch, 1));
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    private static int[] Permutation(int count, int seed, int epoch)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        new Random(HashCode(seed, epoch, 0)).Shuffle(order);
        return order;
    }

    private static List<int[]> Chunk(int[] items, int size) => [.. items.Chunk(size)];

    // Stable across processes (unlike System.HashCode) so runs with the same seed shuffle identically.
    private static int HashCode(int seed, int epoch, int stream) => unchecked(seed * 1_000_003 + epoch * 7_919 + stream);
}
