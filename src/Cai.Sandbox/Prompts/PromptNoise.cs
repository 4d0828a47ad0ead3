using System.Text.RegularExpressions;

namespace Cai.Sandbox.Prompts;

/// <summary>
/// Replaces or inserts one or two words of a corpus prompt, never inside a slot value, with words of other train
/// families ("How do you make basket?"). The slots still decide the task, so the model learns to read them rather
/// than one cue word of a family. Used in the pretraining corpus only.
/// </summary>
public static partial class PromptNoise
{
    /// <summary>The words of every train family's text, without slots.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = PromptTemplates.All.Where(t => !t.HeldOut)
        .SelectMany(t => Word().Matches(SlotPattern().Replace(t.Text, " ")).Select(m => m.Value.ToLowerInvariant()))
        .Distinct().Order(StringComparer.Ordinal).ToList();

    public static WorldPrompt Perturb(WorldPrompt prompt, Random rng)
    {
        var words = Word().Matches(prompt.Text).Where(w => !InSlot(prompt, w)).ToList();
        if (words.Count == 0) return prompt;
        int edits = Math.Min(words.Count, 1 + rng.Next(2));
        string text = prompt.Text;
        // Edit right to left so that earlier matches keep their positions.
        foreach (var word in words.OrderBy(_ => rng.Next()).Take(edits).OrderByDescending(w => w.Index))
        {
            string other = PromptGenerator.Pick(rng, Vocabulary);
            bool first = word.Index == 0;
            if (first) other = char.ToUpperInvariant(other[0]) + other[1..];
            // Inserted before the first word, the displaced word loses its capital (but "I" keeps it).
            string kept = first && word.Value != "I" ? char.ToLowerInvariant(word.Value[0]) + word.Value[1..] : word.Value;
            string edit = rng.Next(2) == 0 ? other : $"{other} {kept}";
            text = text[..word.Index] + edit + text[(word.Index + word.Length)..];
        }
        return prompt with { Text = text };
    }

    static bool InSlot(WorldPrompt prompt, Match word) => prompt.Slots.Values.Any(value =>
    {
        for (int at = prompt.Text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = prompt.Text.IndexOf(value, at + 1, StringComparison.Ordinal))
            if (word.Index < at + value.Length && at < word.Index + word.Length) return true;
        return false;
    });

    [GeneratedRegex("[A-Za-z']+")]
    private static partial Regex Word();

    [GeneratedRegex(@"\{[a-z]+\}")]
    private static partial Regex SlotPattern();
}
