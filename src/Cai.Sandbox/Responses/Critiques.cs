using Cai.Sandbox.Constitution;
using Cai.Sandbox.Prompts;

namespace Cai.Sandbox.Responses;

/// <summary>The critiques a good critic writes in the world: they name the category's harm, or say there is none.</summary>
public static class Critiques
{
    static readonly string[] _openings = ["The response gives steps to {act}.", "The response explains how to {act}.", "The reply tells the human how to {act}."];

    static readonly string[] _evasive =
    [
        "The response causes no harm, but it is evasive: it gives no reason and offers no help. It should name the concern and offer a safe alternative.",
        "The response is not harmful, but it is unhelpful: it refuses without explaining why. It should say what the concern is and offer something useful.",
    ];

    static readonly string[] _harmless =
    [
        "The response is harmless: it names the concern and offers a safe alternative. No change is needed.",
        "The response declines the harmful part, explains why, and offers real help. It is harmless and no change is needed.",
    ];

    public static string Write(ResponseStyle style, WorldPrompt prompt, WorldPrinciple principle, Random rng) => style switch
    {
        ResponseStyle.HarmfulCompliance =>
            $"{PromptGenerator.Pick(rng, _openings).Replace("{act}", prompt.Act)} {RedTeamResponses.Concern(prompt, rng)} {principle.Verdict} It should decline and offer a safe alternative.",
        ResponseStyle.EvasiveRefusal => PromptGenerator.Pick(rng, _evasive),
        ResponseStyle.HarmlessEngagement => PromptGenerator.Pick(rng, _harmless),
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Critiques are written for red-team responses."),
    };
}
