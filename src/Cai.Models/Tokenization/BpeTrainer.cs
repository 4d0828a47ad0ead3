using System.Text;
using System.Text.RegularExpressions;

namespace Cai.Models.Tokenization;

/// <summary>Options of <see cref="BpeTrainer"/>.</summary>
/// <param name="VocabSize">Target size: special tokens + 256 byte tokens + merges.</param>
/// <param name="SpecialTokens">Reserved tokens, given ids 0, 1, ... in this order and never split or merged.</param>
/// <param name="MinFrequency">A pair seen fewer times is never merged.</param>
public sealed record BpeTrainerOptions(int VocabSize, IReadOnlyList<string> SpecialTokens, int MinFrequency = 2);

/// <summary>
/// Trains a byte-level BPE model (GPT-2 pre-tokenization) on a corpus, deterministically: the most frequent adjacent
/// pair is merged first, ties broken by the smaller token ids. Pair counts are kept over unique pre-token words with
/// their frequencies and updated incrementally on the words a merge touches.
/// </summary>
public sealed class BpeTrainer(BpeTrainerOptions options)
{
    /// <summary>Trains on <paramref name="documents"/>; occurrences of special tokens in the text are not learned from.</summary>
    public BpeModel Train(IEnumerable<string> documents)
    {
        int specialCount = options.SpecialTokens.Count;
        int firstMergeId = specialCount + 256;
        if (options.VocabSize < firstMergeId)
            throw new ArgumentException($"VocabSize {options.VocabSize} is below {firstMergeId} (special tokens + 256 bytes).", nameof(options));
        if (options.SpecialTokens.Distinct().Count() != specialCount || options.SpecialTokens.Any(string.IsNullOrEmpty))
            throw new ArgumentException("Special tokens must be distinct and non-empty.", nameof(options));

        var (words, counts) = CountWords(documents, specialCount);
        var tokens = new List<string>(options.VocabSize);
        tokens.AddRange(options.SpecialTokens);
        tokens.AddRange(ByteLevelAlphabet.Characters.Select(c => c.ToString()));

        var pairs = new PairCounts(words, counts);
        var merges = new List<(string, string)>();
        while (tokens.Count < options.VocabSize && pairs.PopMostFrequent(options.MinFrequency) is { } best)
        {
            int merged = tokens.Count;
            tokens.Add(tokens[best.Left] + tokens[best.Right]);
            merges.Add((tokens[best.Left], tokens[best.Right]));
            pairs.Merge(best, merged);
        }

        var vocab = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++) vocab.Add(tokens[id], id);
        var added = options.SpecialTokens.Select((t, id) => new AddedToken(id, t)).ToList();
        return new BpeModel(vocab, merges, added);
    }

    /// <summary>Trains and wraps the model as a tokenizer whose Save writes the Hugging Face files.</summary>
    public TextTokenizer TrainTokenizer(IEnumerable<string> documents, SpecialTokens roles, ChatFormat? chatFormat = null) =>
        new(Train(documents), roles, chatFormat);

    private (List<int[]> Words, List<long> Counts) CountWords(IEnumerable<string> documents, int specialCount)
    {
        var regex = ByteLevelPreTokenizer.CreateRegex(ByteLevelPreTokenizer.Gpt2Pattern);
        Regex? specials = specialCount == 0
            ? null
            : new Regex(string.Join("|", options.SpecialTokens.OrderByDescending(t => t.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var words = new List<int[]>();
        var counts = new List<long>();
        foreach (string document in documents)
            foreach (string piece in specials is null ? [document] : specials.Split(document))
                foreach (ValueMatch match in regex.EnumerateMatches(piece))
                {
                    string word = piece.Substring(match.Index, match.Length);
                    if (index.TryGetValue(word, out int i)) { counts[i]++; continue; }
                    index.Add(word, words.Count);
                    words.Add(Encoding.UTF8.GetBytes(word).Select(b => specialCount + b).ToArray());
                    counts.Add(1);
                }
        return (words, counts);
    }
}
