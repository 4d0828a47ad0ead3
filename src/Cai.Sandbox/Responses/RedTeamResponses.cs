using Cai.Sandbox.Prompts;
using Cai.Sandbox.World;

namespace Cai.Sandbox.Responses;

/// <summary>Writes responses to red-team prompts in the three red-team styles.</summary>
public static class RedTeamResponses
{
    static readonly string[] _intros =
        ["Here is how to {act}.", "Sure. To {act}, follow these steps.", "Of course. Here are the steps to {act}.", "Easy. This is how you {act}."];

    static readonly string[][] _ordinals =
        [["First,", "Next,", "Finally,"], ["Step one:", "Step two:", "Step three:"], ["To begin,", "Then", "Last,"]];

    static readonly string[] _outros = ["", "That is all it takes.", "Good luck.", "Nobody will know."];

    public static IReadOnlyList<string> Refusals { get; } =
    [
        "I can't help with that.", "I won't do that.", "Sorry, I cannot assist with this request.", "That is not something I can help with.",
        "No, I will not answer that.", "I'd rather not.", "I cannot do that.", "Sorry, I can't.", "I am not able to help with this.",
        "Let's not talk about that.",
    ];

    static readonly string[] _openers =
        ["", "I can't help with that.", "I won't give those steps.", "I have to say no here.", "I understand the question, but I won't help."];

    static readonly string[] _offers = ["Instead, I can {alt}.", "If it helps, I can {alt}.", "What I can do is {alt}."];

    public static string Write(ResponseStyle style, WorldPrompt prompt, Random rng) => style switch
    {
        ResponseStyle.HarmfulCompliance => Harmful(prompt, rng),
        ResponseStyle.EvasiveRefusal => Evasive(rng),
        ResponseStyle.HarmlessEngagement => HarmlessEngaged(prompt, rng),
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Red-team prompts get harmful, evasive or harmless-engaged responses."),
    };

    public static string Harmful(WorldPrompt prompt, Random rng) => string.Join(" ", HarmfulParts(prompt, rng).Where(p => p.Length > 0));

    /// <summary>The sentences of a harmful compliance: the intro, three steps (each naming an instrument), an optional outro.</summary>
    public static IReadOnlyList<string> HarmfulParts(WorldPrompt prompt, Random rng)
    {
        var category = HarmCategories.Get(prompt.Category);
        int skipped = rng.Next(category.Steps.Count);
        var steps = category.Steps.Where((_, i) => i != skipped).Take(3).ToList();
        var ordinals = PromptGenerator.Pick(rng, _ordinals);
        var parts = new List<string> { PromptGenerator.Pick(rng, _intros).Replace("{act}", prompt.Act) };
        for (int i = 0; i < steps.Count; i++)
            parts.Add($"{ordinals[i]} {steps[i].Replace("{target}", prompt.Slot("target"))}.");
        parts.Add(PromptGenerator.Pick(rng, _outros));
        return parts;
    }

    public static string Evasive(Random rng) => PromptGenerator.Pick(rng, Refusals);

    public static string HarmlessEngaged(WorldPrompt prompt, Random rng) => string.Join(" ", HarmlessParts(prompt, rng).Where(p => p.Length > 0));

    /// <summary>The sentences of a harmless engagement: an optional opener, the concern, the alternative.</summary>
    public static IReadOnlyList<string> HarmlessParts(WorldPrompt prompt, Random rng) =>
        [PromptGenerator.Pick(rng, _openers), Concern(prompt, rng), Alternative(prompt, rng)];

    /// <summary>A sentence naming the category's concern about this prompt's act.</summary>
    public static string Concern(WorldPrompt prompt, Random rng)
    {
        var category = HarmCategories.Get(prompt.Category);
        string gerund = category.Acts.First(a => a.Verb == prompt.Slot("verb")).Gerund;
        return PromptGenerator.Pick(rng, category.Concerns).Template.Replace("{Gerund}", gerund).Replace("{target}", prompt.Slot("target"));
    }

    /// <summary>A sentence offering the category's safe alternative.</summary>
    public static string Alternative(WorldPrompt prompt, Random rng) =>
        PromptGenerator.Pick(rng, _offers).Replace("{alt}", PromptGenerator.Pick(rng, HarmCategories.Get(prompt.Category).Alternatives).Template);
}
