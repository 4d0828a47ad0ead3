using System.Text.Json;

namespace Cai.Models.Tokenization;

/// <summary>Reads the older GPT-2 layout: vocab.json plus merges.txt (byte-level, GPT-2 split pattern).</summary>
public static class LegacyBpeFiles
{
    public const string VocabFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";

    /// <summary>Reads the two files; <paramref name="addedTokens"/> come from tokenizer_config.json.</summary>
    public static BpeModel Read(string vocabPath, string mergesPath, IReadOnlyList<AddedToken> addedTokens)
    {
        Dictionary<string, int>? vocab;
        try
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath));
        }
        catch (JsonException e)
        {
            throw new FormatException($"{vocabPath}: expected an object of token to id: {e.Message}", e);
        }
        if (vocab is null) throw new FormatException($"{vocabPath}: expected an object of token to id.");
        var merges = new List<(string, string)>();
        foreach (string line in File.ReadLines(mergesPath))
        {
            if (line.Length == 0 || line.StartsWith("#version", StringComparison.Ordinal)) continue;
            merges.Add(TokenizerJsonFile.SplitMerge(line, mergesPath));
        }
        return new BpeModel(vocab, merges, addedTokens);
    }
}
