using System.Text.RegularExpressions;

namespace Cai.Sandbox.Prompts;

/// <summary>
/// Replaces, inserts or drops one to three words of a corpus prompt, never inside a slot value, with words of other
/// train families ("How do you make basket?", "How spell basket?"). The slots still decide the task, so the model
/// learns to read them rather than one cue word of a family. The words that say whether a counting prompt adds or
/// takes away (<see cref="OperationWords"/>) are kept like slots in every prompt and never inserted, so that noise
/// never flips or hides an operation. Used in the pretraining corpus only.
/// </summary>
public static partial class PromptNoise
{
    public const int MostEdits = 3;

    /// <summary>Words of train counting families that tell adding from taking away.</summary>
    public static IReadOnlySet<string> OperationWords { get; } = new HashSet<string>(
        ["more", "plus", "add", "find", "got", "gives", "drop", "put", "minus", "away", "give", "lost", "sold", "remain",
         "rolled", "take", "used", "left", "over", "still"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The words of every train family's text, without slots and operation words.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = PromptTemplates.All.Where(t => !t.HeldOut)
        .SelectMany(t => Word().Matches(SlotPattern().Replace(t.Text, " ")).Select(m => m.Value.ToLowerInvariant()))
        .Where(w => !OperationWords.Contains(w)).Distinct().Order(StringComparer.Ordinal).ToList();

    public static WorldPrompt Perturb(WorldPrompt prompt, Random rng)
    {
        var words = Word().Matches(prompt.Text).Where(w => !InSlot(prompt, w) && !OperationWords.Contains(w.Value)).ToList();
        if (words.Count == 0) return prompt;
        int edits = Math.Min(words.Count, 1 + rng.Next(MostEdits));
        string text = prompt.Text;
        // Edit right to left so that earlier matches keep their positions.
        foreach (var word in words.OrderBy(_ => rng.Next()).Take(edits).OrderByDescending(w => w.Index))
            text = text[..word.Index] + Edit(word, rng) + text[(word.Index + word.Length)..];
        return prompt with { Text = DropDoubleSpaces(text) };
    }

    // Another word in its place, another word before it, or nothing.
    static string Edit(Match word, Random rng)
    {
        string other;
        do other = PromptGenerator.Pick(rng, Vocabulary);
        while (string.Equals(other, word.Value, StringComparison.OrdinalIgnoreCase));
        bool first = word.Index == 0;
        if (first) other = char.ToUpperInvariant(other[0]) + other[1..];
        // Inserted before the first word, the displaced word loses its capital (but "I" keeps it).
        string kept = first && word.Value != "I" ? char.ToLowerInvariant(word.Value[0]) + word.Value[1..] : word.Value;
        return rng.Next(3) switch { 0 => other, 1 => $"{other} {kept}", _ => "" };
    }

    static string DropDoubleSpaces(string text) => MultipleSpaces().Replace(text, " ").Trim();

    static bool InSlot(WorldPrompt prompt, Match word) => prompt.Slots.Values.Any(value =>
    {
        for (int at = prompt.Text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = prompt.Text.IndexOf(value, at + 1, StringComparison.Ordinal))
            if (word.Index < at + value.Length && at < word.Index + word.Length) return true;
        return false;
    });

    [GeneratedRegex("[A-Za-z']+")]
    private static partial Regex Word();

    [GeneratedRegex(" {2,}")]
    private static partial Regex MultipleSpaces();

    [GeneratedRegex(@"\{[a-z]+\}")]
    private static partial Regex SlotPattern();
}
