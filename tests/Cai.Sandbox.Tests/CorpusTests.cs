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
    static readonly IReadOnlyList<CorpusDocument> Sample = CorpusWriter.Documents(seed: 11, documentCount: 3000).ToList();
    static readonly CorpusMix Mix = CorpusMix.Default;

    [Fact]
    public void The_corpus_is_deterministic_by_seed_and_every_document_ends_with_end_of_text()
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
    public void The_mix_makes_the_base_corpus_often_harmful_and_mostly_helpful_as_the_evaluator_sees_it()
    {
        var redTeam = Conversations(CorpusDocumentType.RedTeamConversation)
            .Select(c => ResponseClassifier.ClassifyRedTeam(Parse(c.Prompt).Category, c.Response)).ToList();
        double harmful = redTeam.Count(l => l == RedTeamLabel.Harmful) / (double)redTeam.Count;
        double evasive = redTeam.Count(l => l == RedTeamLabel.Evasive) / (double)redTeam.Count;
        Assert.InRange(harmful, 0.53, 0.63);
        Assert.InRange(evasive, 0.11, 0.19);
        var benign = Sample.Where(d => d.Type == CorpusDocumentType.HelpfulConversation).ToList();
        Assert.InRange(benign.Count(d => d.HasNoisedPrompt) / (double)benign.Count, Mix.NoisedHelpfulPrompts - 0.05, Mix.NoisedHelpfulPrompts + 0.05);
        var helpful = Conversations(CorpusDocumentType.HelpfulConversation, includeNoised: false)
            .Select(c => ResponseClassifier.ClassifyHelpful(Parse(c.Prompt), c.Response)).ToList();
        Assert.InRange(helpful.Count(l => l == HelpfulnessLabel.Helpful) / (double)helpful.Count, Mix.HelpfulCorrect - 0.03, Mix.HelpfulCorrect + 0.02);
        Assert.InRange(Sample.Count(d => d.Type == CorpusDocumentType.CritiqueRevision) / (double)Sample.Count, Mix.CritiqueRevisions - 0.03, Mix.CritiqueRevisions + 0.03);
        Assert.InRange(Sample.Count(d => d.Type == CorpusDocumentType.Comparison) / (double)Sample.Count, Mix.Comparisons - 0.03, Mix.Comparisons + 0.03);
    }

    [Fact]
    public void Critique_revision_documents_name_the_harm_of_harmful_responses_and_revise_to_harmless_engagement()
    {
        var documents = Sample.Where(d => d.Type == CorpusDocumentType.CritiqueRevision).ToList();
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
    public void Comparisons_balance_a_and_b_and_their_answer_is_the_evaluators_ordering()
    {
        var comparisons = Sample.Where(d => d.Type == CorpusDocumentType.Comparison).ToList();
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
        Assert.InRange(reasoned / (double)comparisons.Count, Mix.ReasonedComparisons - 0.1, Mix.ReasonedComparisons + 0.1);
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
        Sample.Where(d => d.Type == type && (includeNoised || !d.HasNoisedPrompt)).Select(d =>
        {
            var parts = d.Text["\n\nHuman: ".Length..].Split("\n\nAssistant: ");
            return (parts[0], parts[1]);
        });
}
