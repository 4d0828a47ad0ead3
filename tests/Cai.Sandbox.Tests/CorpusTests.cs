using System.Text.RegularExpressions;
using Cai.Sandbox.Constitution;
using Cai.Sandbox.Corpus;
using Cai.Sandbox.Documents;
using Cai.Sandbox.Evaluation;
using Cai.Sandbox.Prompts;
using Xunit;

namespace Cai.Sandbox.Tests;

public class CorpusTests
{
    static readonly IReadOnlyList<CorpusDocument> _sample = CorpusWriter.Documents(seed: 11, documentCount: 3000).ToList();
    static readonly CorpusMix _mix = CorpusMix.Default;

    [Fact]
    public void TheCorpusIsDeterministicBySeedAndEveryDocumentEndsWithEndOfText()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cai-corpus-{Environment.ProcessId}.txt");
        try
        {
            var stats = CorpusWriter.Write(path, seed: 5, documentCount: 400);
            string first = File.ReadAllText(path);
            CorpusWriter.Write(path, seed: 5, documentCount: 400);
            Assert.Equal(first, File.ReadAllText(path));
            Assert.NotEqual(first, string.Concat(CorpusWriter.Documents(6, 400).Select(d => d.Text + ChatTranscript.EndOfText)));
            var documents = first.Split(ChatTranscript.EndOfText);
            Assert.Equal(401, documents.Length);
            Assert.Equal("", documents[^1]);
            Assert.All(documents[..^1], d => Assert.StartsWith("\n\nHuman: ", d));
            Assert.Equal(first.Length, stats.Characters);
            Assert.Equal(400, stats.ByType.Values.Sum());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheMixMakesTheBaseCorpusOftenHarmfulAndMostlyHelpfulAsTheEvaluatorSeesIt()
    {
        var redTeam = Conversations(CorpusDocumentType.RedTeamConversation)
            .Select(c => ResponseClassifier.ClassifyRedTeam(Parse(c.Prompt).Category, c.Response)).ToList();
        double harmful = redTeam.Count(l => l == RedTeamLabel.Harmful) / (double)redTeam.Count;
        double evasive = redTeam.Count(l => l == RedTeamLabel.Evasive) / (double)redTeam.Count;
        Assert.InRange(harmful, 0.53, 0.63);
        Assert.InRange(evasive, 0.11, 0.19);
        var benign = _sample.Where(d => d.Type == CorpusDocumentType.HelpfulConversation).ToList();
        Assert.InRange(benign.Count(d => d.HasNoisedPrompt) / (double)benign.Count, _mix.NoisedHelpfulPrompts - 0.05, _mix.NoisedHelpfulPrompts + 0.05);
        var helpful = Conversations(CorpusDocumentType.HelpfulConversation, includeNoised: false)
            .Select(c => ResponseClassifier.ClassifyHelpful(Parse(c.Prompt), c.Response)).ToList();
        Assert.InRange(helpful.Count(l => l == HelpfulnessLabel.Helpful) / (double)helpful.Count, _mix.HelpfulCorrect - 0.03, _mix.HelpfulCorrect + 0.02);
        Assert.InRange(_sample.Count(d => d.Type == CorpusDocumentType.CritiqueRevision) / (double)_sample.Count, _mix.CritiqueRevisions - 0.03, _mix.CritiqueRevisions + 0.03);
        Assert.InRange(_sample.Count(d => d.Type == CorpusDocumentType.Comparison) / (double)_sample.Count, _mix.Comparisons - 0.03, _mix.Comparisons + 0.03);
    }

    [Fact]
    public void CritiqueRevisionDocumentsNameTheHarmOfHarmfulResponsesAndReviseToHarmlessEngagement()
    {
        var documents = _sample.Where(d => d.Type == CorpusDocumentType.CritiqueRevision).ToList();
        var principlesSeen = new HashSet<string>();
        foreach (var document in documents)
        {
            // The last dialogue of the document (a few-shot example may precede it).
            var turns = document.Text.Split("\n\nHuman: ").Skip(1).Select(t => t.Split("\n\nAssistant: ")).ToList();
            var prompt = Parse(LastPrompt(turns));
            string revision = turns[^1][1];
            Assert.StartsWith("Revision: ", revision);
            Assert.Equal(RedTeamLabel.HarmlessEngaged, ResponseClassifier.ClassifyRedTeam(prompt.Category, revision["Revision: ".Length..]));
            principlesSeen.Add(HarmlessConstitution.Principles.Single(p => p.RevisionRequest == turns[^1][0]).Id);
            // Few-shot prefixes use the same principle and the same with/without-critique form, so the last critique is the main one.
            var critique = turns.Select(t => t[1]).LastOrDefault(a => a.StartsWith("Critique: ", StringComparison.Ordinal));
            if (critique is null) continue;
            bool harmful = document.Detail == "HarmfulCompliance";
            Assert.Equal(harmful, CritiqueClassifier.NamesHarm(prompt.Category, critique["Critique: ".Length..]));
        }
        Assert.Equal(16, principlesSeen.Count);
    }

    [Fact]
    public void ComparisonsBalanceAAndBAndTheirAnswerIsTheEvaluatorsOrdering()
    {
        var comparisons = _sample.Where(d => d.Type == CorpusDocumentType.Comparison).ToList();
        int answeredA = 0;
        int reasoned = 0;
        var options = new Regex(@"\nHuman: (?<prompt>.*)\n.*\nOptions:\n\(A\) (?<a>.*)\n\(B\) (?<b>.*)\n(" + Regex.Escape(ComparisonDocument.ReasoningCue) + @" (?<reasoning>.*)\n)?The answer is:\n\nAssistant: (?<answer>\([AB]\))$");
        foreach (var document in comparisons)
        {
            var match = options.Match(document.Text);
            Assert.True(match.Success, document.Text);
            var prompt = Parse(match.Groups["prompt"].Value);
            var better = PairPreference.Compare(prompt, match.Groups["a"].Value, match.Groups["b"].Value);
            Assert.Equal(match.Groups["answer"].Value == "(A)" ? PairOrdering.AIsBetter : PairOrdering.BIsBetter, better);
            if (match.Groups["answer"].Value == "(A)") answeredA++;
            if (!match.Groups["reasoning"].Success) continue;
            reasoned++;
            Assert.EndsWith($"So {match.Groups["answer"].Value} is better.", match.Groups["reasoning"].Value);
        }
        Assert.InRange(answeredA / (double)comparisons.Count, 0.44, 0.56);
        Assert.InRange(reasoned / (double)comparisons.Count, _mix.ReasonedComparisons - 0.1, _mix.ReasonedComparisons + 0.1);
        Assert.Contains(comparisons, d => d.Detail == "HarmlessEngaged>Misdirected reasoned");
        Assert.Contains(comparisons, d => d.Detail == "HarmlessEngaged>Misdirected");
    }

    static WorldPrompt Parse(string framed) => PromptParser.Parse(PromptFrames.Unframe(framed));

    static string LastPrompt(List<string[]> turns)
    {
        for (int i = turns.Count - 1; i >= 0; i--)
            if (PromptParser.TryParse(PromptFrames.Unframe(turns[i][0])) is not null) return turns[i][0];
        throw new InvalidOperationException("no prompt");
    }

    static IEnumerable<(string Prompt, string Response)> Conversations(CorpusDocumentType type, bool includeNoised = true) =>
        _sample.Where(d => d.Type == type && (includeNoised || !d.HasNoisedPrompt)).Select(d =>
        {
            var parts = d.Text["\n\nHuman: ".Length..].Split("\n\nAssistant: ");
            return (parts[0], parts[1]);
        });
}
