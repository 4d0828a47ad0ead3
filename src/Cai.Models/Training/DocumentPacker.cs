namespace Cai.Models.Training;

/// <summary>Packs pretraining documents into fixed-length blocks: doc₁ eos doc₂ eos … cut every blockSize tokens.</summary>
public static class DocumentPacker
{
    /// <summary>The full blocks of the concatenated stream; the final partial block is dropped.</summary>
    public static List<int[]> Pack(IEnumerable<IReadOnlyList<int>> documents, int eosTokenId, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 2);
        var blocks = new List<int[]>();
        var current = new int[blockSize];
        int filled = 0;
        void Push(int id)
        {
            current[filled++] = id;
            if (filled < blockSize) return;
            blocks.Add(current);
            current = new int[blockSize];
            filled = 0;
        }
        foreach (var document in documents)
        {
            foreach (int id in document) Push(id);
            Push(eosTokenId);
        }
        return blocks;
    }
}
