using Cai.Abstractions.Text;
using Cai.Sandbox.Constitution;
using Cai.Sandbox.Prompts;
using Cai.Sandbox.Responses;

namespace Cai.Sandbox.Documents;

/// <summary>
/// A worked critique–revision dialogue: red-team prompt, response, the principle's critique request,
/// "Critique: …", its revision request, "Revision: …" (always a harmless-engaged answer to the prompt).
/// </summary>
public sealed record CritiqueRevisionExample(string Prompt, string Response, string Critique, string Revision)
{
    public static CritiqueRevisionExample Create(WorldPrompt prompt, ResponseStyle style, WorldPrinciple principle, Random rng) => new(
        prompt.Text,
        RedTeamResponses.Write(style, prompt, rng),
        Critiques.Write(style, prompt, principle, rng),
        RedTeamResponses.HarmlessEngaged(prompt, rng));

    /// <summary>The dialogue in chat text; without the critique turns when <paramref name="withCritique"/> is false.</summary>
    public string Render(WorldPrinciple principle, bool withCritique = true)
    {
        var p = principle.Principle;
        return withCritique
            ? ChatTranscript.Render(
                (Role.User, Prompt), (Role.Assistant, Response),
                (Role.User, p.CritiqueRequest), (Role.Assistant, $"{ChatTranscript.CritiqueLabel} {Critique}"),
                (Role.User, p.RevisionRequest), (Role.Assistant, $"{ChatTranscript.RevisionLabel} {Revision}"))
            : ChatTranscript.Render(
                (Role.User, Prompt), (Role.Assistant, Response),
                (Role.User, p.RevisionRequest), (Role.Assistant, $"{ChatTranscript.RevisionLabel} {Revision}"));
    }
}
