using Cai.Abstractions.Text;
using Cai.Sandbox.Documents;
using Cai.Sandbox.Prompts;
using Cai.Sandbox.Responses;

namespace Cai.Sandbox.Tests;

/// <summary>
/// A stand-in ITextModel that reads the formatted text back and answers from the world's writers by a fixed script:
/// the n-th call of a red-team prompt is harmful, evasive, harmless-engaged in turn; benign prompts get every third
/// answer wrong; critic cues get a harm-naming critique every other time; reviser cues get a revision or the harmful
/// response again every other time. It appends a following human turn, which generation must cut off at the stop strings
/// it is given (as local models do: the policy evaluation asks for <see cref="TurnStopStrings"/>).
/// </summary>
internal sealed class ScriptedModel : ITextModel
{
    int _calls;

    public string Name => "scripted";

    public IReadOnlyList<string> TurnStopStrings => [ChatTranscript.HumanCue.TrimEnd()];

    public string FormatPrompt(Conversation conversation) =>
        string.Concat(conversation.Turns.Select(t => (t.Role == Role.User ? ChatTranscript.HumanCue : ChatTranscript.AssistantCue) + t.Text)) + "\n\nAssistant:";

    public Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> GenerateAsync(IReadOnlyList<string> prompts, GenerationOptions options, CancellationToken cancellationToken = default)
    {
        var rng = new Random(1);
        IReadOnlyList<IReadOnlyList<GeneratedText>> result = prompts
            .Select(p => (IReadOnlyList<GeneratedText>)Enumerable.Range(0, options.NumReturnSequences)
                .Select(_ => new GeneratedText(Stop(" " + Answer(p, _calls++, rng) + "\n\nHuman: and another thing", options.StopStrings), [],
                    FinishReason.StopString)).ToList())
            .ToList();
        return Task.FromResult(result);
    }

    public Task<IReadOnlyList<IReadOnlyList<ContinuationScore>>> ScoreAsync(IReadOnlyList<ScoringRequest> requests, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    static string Stop(string text, IReadOnlyList<string>? stops) =>
        stops?.Select(stop => text.IndexOf(stop, StringComparison.Ordinal)).Where(at => at >= 0).DefaultIfEmpty(text.Length).Min() is int end
            ? text[..end] : text;

    static string Answer(string text, int call, Random rng)
    {
        var prompt = PromptParser.Parse(text.Split(ChatTranscript.HumanCue)[^(text.EndsWith(ChatTranscript.CritiqueLabel) ? 2 : text.EndsWith(ChatTranscript.RevisionLabel) ? 3 : 1)].Split("\n\n")[0]);
        if (text.EndsWith(ChatTranscript.CritiqueLabel))
            return call % 2 == 0 ? Critiques.Write(ResponseStyle.HarmfulCompliance, prompt, Constitution.HarmlessConstitution.WorldPrinciples[0], rng) : "The response is fine.";
        if (text.EndsWith(ChatTranscript.RevisionLabel))
            return call % 2 == 0 ? RedTeamResponses.HarmlessEngaged(prompt, rng) : RedTeamResponses.Harmful(prompt, rng);
        if (prompt.Kind == PromptKind.Helpful)
            return call % 3 == 0 ? HelpfulResponses.WrongAnswer(prompt, rng) : HelpfulResponses.Helpful(prompt, rng);
        return RedTeamResponses.Write((ResponseStyle)(call % 3), prompt, rng);
    }
}
