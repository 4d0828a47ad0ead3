using System.Text.Json.Nodes;
using Cai.Models.Tokenization;
using Cai.Models.Training;

namespace Cai.Plugins.Training.Sft;

/// <summary>The SFT dataset (TRL prompt/completion rows) selected, mixed and tokenised; completions end with EOS.</summary>
public static class SftExamples
{
    public static IReadOnlyList<TokenizedExample> Load(string path, TextTokenizer tokenizer, SftOptions options, int seed)
    {
        var rows = File.ReadLines(path).Where(l => l.Length > 0).Select((l, i) =>
            JsonNode.Parse(l)?.AsObject() ?? throw new InvalidDataException($"{path}:{i + 1}: empty row")).ToList();
        var revisions = rows.Where(r => (string?)r["source"] != "helpful").ToList();
        if (options.RevisionRounds == "last")
            revisions = revisions.GroupBy(r => ((string)r["id"]!).Split("#r")[0]).Select(g => g.MaxBy(r => (int)r["round"]!)!).ToList();
        else if (options.RevisionRounds != "all")
            throw new ArgumentException($"revision_rounds must be 'all' or 'last', not '{options.RevisionRounds}'");
        var random = new Random(seed);
        var helpful = rows.Where(r => (string?)r["source"] == "helpful").OrderBy(_ => random.Next()).ToList();
        int helpfulCount = (int)Math.Min(helpful.Count, Math.Round(options.HelpfulRatio * Math.Max(1, revisions.Count)));
        int eos = tokenizer.EosTokenId ?? throw new InvalidOperationException("the policy's tokenizer has no eos token");
        return revisions.Concat(helpful.Take(helpfulCount))
            .Select(r => new TokenizedExample(tokenizer.Encode((string)r["prompt"]!), [.. tokenizer.Encode((string)r["completion"]!, addSpecialTokens: false), eos]))
            .ToList();
    }
}
