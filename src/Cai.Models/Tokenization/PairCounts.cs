namespace Cai.Models.Tokenization;

/// <summary>Adjacent-pair frequencies over weighted words, with the words each pair occurs in (for BPE training).</summary>
internal sealed class PairCounts
{
    private readonly List<int[]> _words;
    private readonly List<long> _wordCounts;
    private readonly Dictionary<long, long> _counts = [];
    private readonly Dictionary<long, List<int>> _where = [];
    // Max-heap by count, then smaller (left, right); entries may be stale and are checked on pop.
    private readonly PriorityQueue<long, (long NegCount, long Pair)> _heap = new();

    public PairCounts(List<int[]> words, List<long> wordCounts)
    {
        _words = words;
        _wordCounts = wordCounts;
        for (int w = 0; w < words.Count; w++) Add(w, +1, newPairs: null);
        foreach (var (pair, count) in _counts) _heap.Enqueue(pair, (-count, pair));
    }

    /// <summary>Removes and returns the most frequent pair with at least <paramref name="minCount"/> occurrences.</summary>
    public (int Left, int Right)? PopMostFrequent(int minCount)
    {
        while (_heap.TryDequeue(out long pair, out var priority))
        {
            long actual = _counts.GetValueOrDefault(pair);
            if (actual < minCount || actual <= 0) continue;
            if (actual != -priority.NegCount)
            {
                _heap.Enqueue(pair, (-actual, pair));
                continue;
            }
            return ((int)(pair >> 32), (int)(pair & 0xFFFFFFFF));
        }
        return null;
    }

    /// <summary>Replaces every (left, right) in the words by <paramref name="merged"/> and updates the counts.</summary>
    public void Merge((int Left, int Right) pair, int merged)
    {
        long key = Key(pair.Left, pair.Right);
        if (!_where.Remove(key, out var affected)) return;
        var newPairs = new HashSet<long>();
        foreach (int w in affected)
        {
            if (!Contains(_words[w], pair.Left, pair.Right)) continue;
            Add(w, -1, newPairs: null);
            _words[w] = Replace(_words[w], pair.Left, pair.Right, merged);
            Add(w, +1, newPairs);
        }
        _counts.Remove(key);
        // Only pairs with the new token can have grown; the others' heap entries remain upper bounds.
        foreach (long p in newPairs)
            if ((p >> 32 == merged || (int)p == merged) && _counts.TryGetValue(p, out long count) && count > 0)
                _heap.Enqueue(p, (-count, p));
    }

    private void Add(int w, int sign, HashSet<long>? newPairs)
    {
        int[] word = _words[w];
        long weight = sign * _wordCounts[w];
        for (int i = 0; i + 1 < word.Length; i++)
        {
            long key = Key(word[i], word[i + 1]);
            long count = _counts.GetValueOrDefault(key) + weight;
            _counts[key] = count;
            if (sign <= 0) continue;
            newPairs?.Add(key);
            if (!_where.TryGetValue(key, out var list)) _where[key] = list = [];
            if (list.Count == 0 || list[^1] != w) list.Add(w);
        }
    }

    private static bool Contains(int[] word, int left, int right)
    {
        for (int i = 0; i + 1 < word.Length; i++)
            if (word[i] == left && word[i + 1] == right) return true;
        return false;
    }

    private static int[] Replace(int[] word, int left, int right, int merged)
    {
        var result = new List<int>(word.Length);
        for (int i = 0; i < word.Length; i++)
        {
            if (i + 1 < word.Length && word[i] == left && word[i + 1] == right)
            {
                result.Add(merged);
                i++;
            }
            else result.Add(word[i]);
        }
        return [.. result];
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
