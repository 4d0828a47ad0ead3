using Cai.Abstractions.Feedback;
using Cai.Abstractions.Training;
using Cai.Models.Tokenization;
using Cai.Models.Training;

namespace Cai.Plugins.Training.Sft;

/// <summary>The SFT dataset (TRL prompt/completion rows) selected, mixed and tokenised; masked as
/// <see cref="AssistantTokens.Example"/> does (completions end with eos where the chat format does not close the turn).</summary>
public static class SftExamples
{
    public static IReadOnlyList<TokenizedExample> Load(string path, TextTokenizer tokenizer, SftOptions options, int seed)
    {
        var rows = SftRow.Read(path);
        var revisions = rows.Where(r => r.Source != SftRow.Helpful).ToList();
        if (options.RevisionRounds == "last")
            revisions = revisions.GroupBy(r => RevisionId.ItemOf(r.Id)).Select(g => g.MaxBy(r => r.Round)!).ToList();
        else if (options.RevisionRounds != "all")
            throw new ArgumentException($"revision_rounds must be 'all' or 'last', not '{options.RevisionRounds}'");
        var random = new Random(seed);
        var helpful = rows.Where(r => r.Source == SftRow.Helpful).OrderBy(_ => random.Next()).ToList();
        int helpfulCount = (int)Math.Min(helpful.Count, Math.Round(options.HelpfulRatio * Math.Max(1, revisions.Count)));
        return revisions.Concat(helpful.Take(helpfulCount))
            .Select(r => AssistantTokens.Example(tokenizer, r.Prompt, r.Completion))
            .ToList();
    }
}
