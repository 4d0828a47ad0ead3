using Cai.Abstractions.Training;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Models.Training;

namespace Cai.Plugins.Training.Preferences;

/// <summary>A labelled comparison, tokenised: prompt + chosen and prompt + rejected, each completion ending with eos.</summary>
/// <param name="Id">The row's id.</param>
/// <param name="Chosen">The prompt and the chosen response.</param>
/// <param name="Rejected">The prompt and the rejected response.</param>
/// <param name="ProbabilityChosen">The soft label P(chosen is better), in [0.5, 1].</param>
public sealed record PreferencePair(string Id, TokenizedExample Chosen, TokenizedExample Rejected, double ProbabilityChosen)
{
    /// <summary>The longer of the two sequences.</summary>
    public int Length => Math.Max(Chosen.Length, Rejected.Length);
}

/// <summary>
/// preferences.jsonl (TRL columns: prompt, chosen, rejected, plus the soft label p_chosen) tokenised for the reward
/// and dpo trainers, and its seeded train / held-out split.
/// </summary>
public static class PreferenceDataset
{
    /// <summary>The preference dataset among a request's datasets.</summary>
    public static string Find(IReadOnlyList<string> datasets, string trainer) =>
        TrainingDatasets.Find(datasets, PreferenceRow.FileName)
        ?? throw new InvalidOperationException(
            $"{trainer} needs a {PreferenceRow.FileName} dataset: put a label stage before its train stage");

    /// <summary>Reads (<see cref="PreferenceRow.Read"/>) and tokenises every row (as <see cref="RewardModel.Encode"/>); rows
    /// longer than <paramref name="maxLength"/> tokens are cut (see <see cref="Truncate"/>).</summary>
    public static List<PreferencePair> Load(string path, TextTokenizer tokenizer, int maxLength) =>
        PreferenceRow.Read(path).Select(row => new PreferencePair(row.Id,
            Truncate(RewardModel.Encode(tokenizer, row.Prompt, row.Chosen), maxLength),
            Truncate(RewardModel.Encode(tokenizer, row.Prompt, row.Rejected), maxLength), row.PChosen)).ToList();

    /// <summary>
    /// Fits prompt + response into <paramref name="maxLength"/> tokens: the prompt keeps its last tokens (down to half
    /// the budget), then the response keeps its first ones; so the end of a long response, eos included, is lost.
    /// </summary>
    public static TokenizedExample Truncate(TokenizedExample example, int maxLength)
    {
        if (example.Length <= maxLength) return example;
        int promptLength = Math.Min(example.PromptIds.Count, Math.Max(maxLength - example.CompletionIds.Count, maxLength / 2));
        int responseLength = Math.Min(example.CompletionIds.Count, maxLength - promptLength);
        return new TokenizedExample(
            [.. example.PromptIds.Skip(example.PromptIds.Count - promptLength)], [.. example.CompletionIds.Take(responseLength)]);
    }

    /// <summary>A seeded shuffle cut into (train, held-out); held out is <paramref name="evalFraction"/> of the pairs,
    /// at least one when the fraction is positive and there are two pairs or more.</summary>
    public static (List<PreferencePair> Train, List<PreferencePair> Eval) Split(
        IReadOnlyList<PreferencePair> pairs, double evalFraction, int seed)
    {
        if (evalFraction is < 0 or >= 1) throw new ArgumentException($"eval_fraction must be in [0, 1), not {evalFraction}");
        var shuffled = pairs.ToArray();
        new Random(seed).Shuffle(shuffled);
        int evalCount = evalFraction > 0 && pairs.Count >= 2 ? Math.Max(1, (int)Math.Round(pairs.Count * evalFraction)) : 0;
        return (shuffled.Skip(evalCount).ToList(), shuffled.Take(evalCount).ToList());
    }
}
