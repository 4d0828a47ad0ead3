using Cai.Models.Tokenization;

namespace Cai.Models.Tests;

public class BpeTrainerTests
{
    private static IEnumerable<string> Corpus(int documents, int seed)
    {
        string[] syllables = ["ka", "lo", "mi", "ré", "su", "ne", "ta", "vo", "zi", "好", "pa", "dé", "ro", "ul"];
        string[] fixedWords = ["the", "assistant", "human", "harmful", "harmless", "42", "ok!"];
        var random = new Random(seed);
        string[] words = [.. fixedWords, .. Enumerable.Range(0, 200).Select(_ => string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => syllables[random.Next(syllables.Length)])))];
        for (int d = 0; d < documents; d++)
            yield return "\n\nHuman: " + string.Join(" ", Enumerable.Range(0, 12).Select(_ => words[random.Next(words.Length)]))
                + "\n\nAssistant: " + string.Join(" ", Enumerable.Range(0, 12).Select(_ => words[random.Next(words.Length)])) + "<|endoftext|>";
    }

    [Fact]
    public void MergesMostFrequentPairFirstAndStopsBelowMinFrequency()
    {
        // Pre-tokens "ab", " ab", " ab", " cd": (a,b) x3 is merged, then (Ġ,ab) x2; every other pair occurs once.
        var model = new BpeTrainer(new BpeTrainerOptions(1000, [], MinFrequency: 2)).Train(["ab ab ab cd"]);

        Assert.Equal([("a", "b"), ("Ġ", "ab")], model.Merges);
        Assert.Equal(258, model.Vocab.Count);
        Assert.Equal(256, model.Vocab["ab"]);
    }

    [Fact]
    public void ReachesTargetVocabDeterministicallyAndReloads()
    {
        var options = new BpeTrainerOptions(400, ["<|endoftext|>", "<|pad|>"]);
        var first = new BpeTrainer(options).Train(Corpus(300, seed: 1));
        var second = new BpeTrainer(options).Train(Corpus(300, seed: 1));

        Assert.Equal(400, first.Vocab.Count);
        Assert.Equal(400 - 2 - 256, first.Merges.Count);
        Assert.Equal(first.Merges, second.Merges);
        Assert.Equal(first.Vocab.OrderBy(p => p.Value), second.Vocab.OrderBy(p => p.Value));
        Assert.Equal(0, first.Vocab["<|endoftext|>"]);
        Assert.DoesNotContain(first.Vocab.Keys, t => t.Contains("<|") && !options.SpecialTokens.Contains(t));

        using var files = new TokenizerTestFiles();
        new BpeTrainer(options).TrainTokenizer(Corpus(300, seed: 1), new SpecialTokens(Eos: "<|endoftext|>", Pad: "<|pad|>")).Save(files.Directory);
        var tokenizer = TextTokenizer.Load(files.Directory);

        Assert.Equal(400, tokenizer.VocabSize);
        Assert.Equal(first.Merges, tokenizer.Model!.Merges);
        Assert.Equal(0, tokenizer.EosTokenId);
        Assert.Equal(1, tokenizer.PadTokenId);
        string sample = Corpus(1, seed: 7).Single();
        var ids = tokenizer.Encode(sample);
        Assert.Equal(sample, tokenizer.Decode(ids));
        Assert.Equal(0, ids[^1]);
        // Frequent corpus words became single tokens.
        Assert.Single(tokenizer.Encode("Human"));
        Assert.True(ids.Count < System.Text.Encoding.UTF8.GetByteCount(sample) / 3, $"{ids.Count} tokens");
    }

    [Fact]
    public void RejectsVocabSmallerThanBytesAndSpecials() =>
        Assert.Throws<ArgumentException>(() => new BpeTrainer(new BpeTrainerOptions(257, ["<|endoftext|>", "<|pad|>"])).Train(["x"]));
}
