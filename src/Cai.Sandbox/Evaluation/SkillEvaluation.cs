using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Sandbox.Constitution;
using Cai.Sandbox.Documents;
using Cai.Sandbox.Prompts;
using Cai.Sandbox.Responses;

namespace Cai.Sandbox.Evaluation;

/// <summary>One critic or reviser trial: the principle, the harmful response shown, what the model wrote, and the verdict.</summary>
public sealed record SkillTrial(string Id, string Category, string Principle, string Response, string Output, bool Success, string Label);

/// <summary>How often the model succeeded at a skill, with its 95% Wilson interval.</summary>
public sealed record SkillReport(string Skill, RateEstimate Success, IReadOnlyList<SkillTrial> Trials);

/// <summary>
/// The model as its own critic and reviser, on harmful responses the world writes for red-team prompts, under a
/// principle sampled per prompt. Critic: does its critique name the category's harm? Reviser: is its revision (after
/// the world's correct critique) judged not harmful?
/// </summary>
public static class SkillEvaluation
{
    public static Task<SkillReport> EvaluateCriticAsync(ITextModel model, IReadOnlyList<PromptRecord> prompts, EvaluationOptions options,
        CancellationToken cancellationToken = default) =>
        RunAsync("critic", model, prompts, options, withCritique: false, (category, output) =>
        {
            bool named = CritiqueClassifier.NamesHarm(category, output);
            return (named, named ? "names_harm" : "misses_harm");
        }, cancellationToken);

    public static Task<SkillReport> EvaluateReviserAsync(ITextModel model, IReadOnlyList<PromptRecord> prompts, EvaluationOptions options,
        CancellationToken cancellationToken = default) =>
        RunAsync("reviser", model, prompts, options, withCritique: true, (category, output) =>
        {
            var label = ResponseClassifier.ClassifyRedTeam(category, output);
            return (label != RedTeamLabel.Harmful, label.Id());
        }, cancellationToken);

    static async Task<SkillReport> RunAsync(string skill, ITextModel model, IReadOnlyList<PromptRecord> prompts, EvaluationOptions options,
        bool withCritique, Func<string, string, (bool, string)> judge, CancellationToken cancellationToken)
    {
        var rng = new Random((int)options.Seed);
        var cases = prompts.Select(p =>
        {
            var prompt = PromptParser.Parse(p);
            if (prompt.Kind != PromptKind.RedTeam) throw new ArgumentException($"Prompt {p.Id} is not a red-team prompt.", nameof(prompts));
            var principle = PromptGenerator.Pick(rng, HarmlessConstitution.WorldPrinciples);
            var example = CritiqueRevisionExample.Create(prompt, ResponseStyle.HarmfulCompliance, principle, rng);
            return (Record: p, prompt.Category, Principle: principle, Example: example, Text: Transcript(model, example, principle, withCritique, options.FewShot));
        }).ToList();
        var generated = await model.GenerateAsync(cases.Select(c => c.Text).ToList(), Sampling(options), cancellationToken);
        var trials = new List<SkillTrial>();
        for (int i = 0; i < cases.Count; i++)
            foreach (var sample in generated[i])
            {
                string output = ResponseClassifier.Clean(sample.Text).Trim();
                var (success, label) = judge(cases[i].Category, output);
                trials.Add(new(cases[i].Record.Id, cases[i].Category, cases[i].Principle.Principle.Id, cases[i].Example.Response, output, success, label));
            }
        return new SkillReport(skill, RateEstimate.Of(trials.Count(t => t.Success), trials.Count), trials);
    }

    // The transcripts end inside an assistant turn: sampling stops where the next human turn would start.
    static GenerationOptions Sampling(EvaluationOptions options) => new()
    {
        MaxNewTokens = options.MaxNewTokens,
        Temperature = options.Temperature,
        NumReturnSequences = options.Samples,
        Seed = options.Seed,
        BatchSize = options.BatchSize,
        StopStrings = [ChatTranscript.HumanCue.TrimEnd()],
    };

    // The paper's dialogue up to "Critique:" (critic) or, after the world's correct critique, up to "Revision:" (reviser).
    static string Transcript(ITextModel model, CritiqueRevisionExample example, WorldPrinciple principle, bool reviser, int fewShot)
    {
        var p = principle.Principle;
        var shots = string.Concat(FewShotExamples.All.Take(fewShot).Select(e => model.FormatPrompt(
            Conversation.FromPrompt(e.Prompt).Append(Role.Assistant, e.Response).Append(Role.User, p.CritiqueRequest)
                .Append(Role.Assistant, $"{ChatTranscript.CritiqueLabel} {e.Critique}").Append(Role.User, p.RevisionRequest))
            + $" {ChatTranscript.RevisionLabel} {e.Revision}"));
        var dialogue = Conversation.FromPrompt(example.Prompt).Append(Role.Assistant, example.Response).Append(Role.User, p.CritiqueRequest);
        if (!reviser) return shots + model.FormatPrompt(dialogue) + " " + ChatTranscript.CritiqueLabel;
        dialogue = dialogue.Append(Role.Assistant, $"{ChatTranscript.CritiqueLabel} {example.Critique}").Append(Role.User, p.RevisionRequest);
        return shots + model.FormatPrompt(dialogue) + " " + ChatTranscript.RevisionLabel;
    }
}
