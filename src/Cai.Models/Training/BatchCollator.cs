namespace Cai.Models.Training;

/// <summary>Turns tokenised examples and documents into <see cref="CausalLMBatch"/>es.</summary>
public static class BatchCollator
{
    /// <summary>
    /// Right-pads prompt+completion rows to the longest row (at most <paramref name="maxLength"/>; longer rows keep
    /// their first tokens). Labels are the completion tokens; prompt and padding are <see cref="CausalLMBatch.IgnoreIndex"/>.
    /// </summary>
    public static CausalLMBatch Pad(IReadOnlyList<TokenizedExample> examples, int padTokenId, int maxLength)
    {
        if (examples.Count == 0) throw new ArgumentException("A batch needs at least one example.", nameof(examples));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        int length = Math.Min(maxLength, examples.Max(e => e.Length));
        var ids = new long[examples.Count * length];
        var mask = new long[ids.Length];
        var labels = new long[ids.Length];
        Array.Fill(ids, padTokenId);
        Array.Fill(labels, CausalLMBatch.IgnoreIndex);
        for (int row = 0; row < examples.Count; row++)
        {
            int offset = row * length, t = 0;
            foreach (int id in examples[row].PromptIds)
            {
                if (t == length) break;
                ids[offset + t] = id;
                mask[offset + t++] = 1;
            }
            foreach (int id in examples[row].CompletionIds)
            {
                if (t == length) break;
                ids[offset + t] = id;
                labels[offset + t] = id;
                mask[offset + t++] = 1;
            }
        }
        return new CausalLMBatch(examples.Count, length, ids, mask, labels);
    }

    /// <summary>Stacks equal-length packed blocks; every token is a label and nothing is padding.</summary>
    public static CausalLMBatch Blocks(IReadOnlyList<int[]> blocks)
    {
        if (blocks.Count == 0) throw new ArgumentException("A batch needs at least one block.", nameof(blocks));
        int length = blocks[0].Length;
        if (blocks.Any(b => b.Length != length)) throw new ArgumentException("Packed blocks must all have the same length.", nameof(blocks));
        long[] ids = [.. blocks.SelectMany(b => b).Select(id => (long)id)];
        var mask = new long[ids.Length];
        Array.Fill(mask, 1L);
        return new CausalLMBatch(blocks.Count, length, ids, mask, (long[])ids.Clone());
    }
}
