using Cai.Sandbox.Prompts;
using Cai.Sandbox.World;
using Xunit;

namespace Cai.Sandbox.Tests;

public class PromptNoiseTests
{
    [Fact]
    public void NoiseChangesOneToThreeWordsAndKeepsEverySlotValue()
    {
        var rng = new Random(9);
        int changed = 0;
        for (int i = 0; i < 500; i++)
        {
            var prompt = PromptGenerator.Helpful(rng, BenignTaskKinds.All[i % BenignTaskKinds.All.Count], heldOut: false);
            var noised = PromptNoise.Perturb(prompt, rng);
            Assert.Equal(prompt.Slots, noised.Slots);
            foreach (var (name, value) in prompt.Slots.Where(s => s.Key != "op"))
                Assert.True(noised.Text.Contains(value, StringComparison.Ordinal), $"\"{noised.Text}\" lost {name} \"{value}\"");
            var before = prompt.Text.ToLowerInvariant().Split(' ');
            var after = noised.Text.ToLowerInvariant().Split(' ');
            Assert.InRange(after.Length - before.Length, -PromptNoise.MostEdits, PromptNoise.MostEdits);
            Assert.True(WordEdits(before, after) is >= 1 and <= PromptNoise.MostEdits, $"\"{prompt.Text}\" -> \"{noised.Text}\"");
            if (noised.Text != prompt.Text) changed++;
        }
        Assert.True(changed > 450);
    }

    [Fact]
    public void NoiseKeepsTheWordsThatSayWhetherACountingPromptAddsOrTakesAway()
    {
        var rng = new Random(5);
        for (int i = 0; i < 300; i++)
        {
            var prompt = PromptGenerator.Helpful(rng, BenignTaskKind.Counting, heldOut: false);
            var noised = PromptNoise.Perturb(prompt, rng);
            Assert.Equal(OperationWords(prompt.Text), OperationWords(noised.Text));
        }
        Assert.All(PromptTemplates.Helpful.Where(t => t.Operation is not null && !t.HeldOut),
            t => Assert.NotEmpty(OperationWords(t.Text)));
    }

    [Fact]
    public void TheNoiseVocabularyComesFromTrainFamiliesOnly()
    {
        var train = PromptTemplates.All.Where(t => !t.HeldOut).Select(t => t.Text.ToLowerInvariant()).ToList();
        Assert.True(PromptNoise.Vocabulary.Count > 100);
        Assert.DoesNotContain(PromptNoise.Vocabulary, PromptNoise.OperationWords.Contains);
        Assert.All(PromptNoise.Vocabulary, word => Assert.Contains(train, t => t.Contains(word, StringComparison.Ordinal)));
    }

    static List<string> OperationWords(string text) =>
        text.Split(' ', '?', '.', ':', ',').Where(PromptNoise.OperationWords.Contains).Select(w => w.ToLowerInvariant()).ToList();

    // Word-level edit distance (punctuation stays with its word).
    static int WordEdits(string[] a, string[] b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
