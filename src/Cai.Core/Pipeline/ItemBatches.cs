namespace Cai.Core.Pipeline;

/// <summary>
/// Splits a stage's items into fixed batches over the full item list, so the batch boundaries (and the seeds derived
/// from them) are the same in a fresh run and a resumed one; batches already written are skipped.
/// </summary>
public static class ItemBatches
{
    public static IEnumerable<IReadOnlyList<T>> Pending<T>(IReadOnlyList<T> items, int batchSize, Func<T, bool> isDone)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch_size must be at least 1");
        for (int start = 0; start < items.Count; start += batchSize)
        {
            var batch = items.Skip(start).Take(batchSize).Where(i => !isDone(i)).ToList();
            if (batch.Count > 0) yield return batch;
        }
    }
}
