using Cai.Abstractions.Training;
using Cai.Models.Tokenization;

namespace Cai.Plugins.Training.Ppo;

/// <summary>The rollout prompts of prompts.jsonl, tokenised; each iteration draws its batch from a seed and the iteration,
/// so a resumed run draws the same batches.</summary>
public sealed class PromptPool
{
    readonly List<(string Text, IReadOnlyList<int> Ids)> _prompts;

    PromptPool(List<(string, IReadOnlyList<int>)> prompts) => _prompts = prompts;

    public int Count => _prompts.Count;

    /// <summary>Loads the prompts of <see cref="PromptRow"/>s, leaving out prompts too long to leave
    /// <paramref name="maxNewTokens"/> positions.</summary>
    public static PromptPool Load(string path, TextTokenizer tokenizer, int maxPositions, int maxNewTokens)
    {
        var prompts = PromptRow.Read(path)
            .Select(row => (row.Prompt, tokenizer.Encode(row.Prompt)))
            .Where(p => p.Item2.Count > 0 && p.Item2.Count + maxNewTokens <= maxPositions)
            .ToList();
        if (prompts.Count == 0)
            throw new InvalidOperationException($"{path} has no prompt that fits {maxPositions} positions with {maxNewTokens} new tokens");
        return new PromptPool(prompts);
    }

    /// <summary><paramref name="size"/> distinct prompts (with repeats only when the pool is smaller).</summary>
    public IReadOnlyList<(string Text, IReadOnlyList<int> Ids)> Batch(long seed, int iteration, int size)
    {
        var random = new Random(PpoSeeds.For(seed, iteration, PpoSeeds.Prompts));
        var batch = new List<(string, IReadOnlyList<int>)>(size);
        while (batch.Count < size)
            batch.AddRange(Enumerable.Range(0, _prompts.Count).OrderBy(_ => random.Next()).Take(size - batch.Count)
                .Select(i => _prompts[i]));
        return batch;
    }
}
