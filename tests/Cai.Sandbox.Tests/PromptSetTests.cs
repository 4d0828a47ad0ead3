using Cai.Abstractions.Prompts;
using Cai.Core.Prompts;
using Cai.Sandbox.Corpus;
using Cai.Sandbox.Prompts;
using Xunit;

namespace Cai.Sandbox.Tests;

public class PromptSetTests
{
    [Fact]
    public void TheCommittedPromptFilesAreWhatCaiWorldWritesWithSeed42()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"cai-world-{Environment.ProcessId}");
        try
        {
            PromptSets.WriteAll(dir, seed: 42);
            foreach (var file in new[] { PromptSets.RedTeamTrain, PromptSets.HelpfulTrain, PromptSets.RedTeamEval, PromptSets.HelpfulEval })
                Assert.Equal(File.ReadAllText(Path.Combine(dir, file)), File.ReadAllText(RepositoryFiles.Path("recipes", "prompts", file)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(PromptSets.RedTeamEval, true, 300)]
    [InlineData(PromptSets.HelpfulEval, true, 300)]
    [InlineData(PromptSets.RedTeamTrain, false, 500)]
    [InlineData(PromptSets.HelpfulTrain, false, 500)]
    public void PromptFilesAreDistinctParseToTheirRecordsAndUseOnlyTheirSplitOfFamilies(string file, bool heldOut, int atLeast)
    {
        var records = PromptSet.Load(file, RepositoryFiles.Path("recipes", "prompts", file)).Prompts;
        Assert.True(records.Count >= atLeast);
        Assert.Equal(records.Count, records.Select(r => r.Prompt).Distinct().Count());
        Assert.Equal(records.Count, records.Select(r => r.Id).Distinct().Count());
        var families = records.Select(r => PromptParser.Parse(r).Family).ToHashSet();
        Assert.All(families, f => Assert.Equal(heldOut, PromptTemplates.All.Single(t => t.Family == f).HeldOut));
        Assert.True(records.Select(r => r.Category).Distinct().Count() >= 8);
    }

    [Fact]
    public void HeldOutFamiliesNeverAppearInTheCorpus()
    {
        var heldOut = PromptTemplates.All.Where(t => t.HeldOut).Select(t => t.Family).ToHashSet();
        int framed = 0, prompts = 0;
        // Noised prompts are train prompts with a word or two changed (PromptNoiseTests); they need not parse.
        foreach (var document in CorpusWriter.Documents(seed: 3, documentCount: 1500).Where(d => !d.HasNoisedPrompt))
        {
            foreach (string prompt in CorpusPrompts(document.Text))
            {
                var parsed = PromptParser.TryParse(PromptFrames.Unframe(prompt));
                Assert.True(parsed is not null, $"Not a world prompt: {prompt}");
                Assert.DoesNotContain(parsed!.Family, heldOut);
                prompts++;
                if (parsed.Text != prompt) framed++;
            }
        }
        Assert.InRange(framed / (double)prompts, 0.2, 0.4);
    }

    // The red-team or benign prompts a document contains: first human turns of each dialogue, and the prompt inside a comparison.
    static IEnumerable<string> CorpusPrompts(string text)
    {
        foreach (string turn in text.Split("\n\nHuman: ").Skip(1))
        {
            string said = turn.Split("\n\nAssistant: ")[0];
            if (said.StartsWith("Consider the following conversation", StringComparison.Ordinal)) yield return said.Split('\n')[1]["Human: ".Length..];
            else if (PromptParser.TryParse(said) is not null || !IsPrincipleRequest(said)) yield return said;
        }
    }

    static bool IsPrincipleRequest(string said) =>
        Constitution.HarmlessConstitution.Principles.Any(p => p.CritiqueRequest == said || p.RevisionRequest == said);
}
