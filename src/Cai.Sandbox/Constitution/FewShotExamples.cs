using Cai.Sandbox.Documents;
using Cai.Sandbox.Prompts;
using Cai.Sandbox.Responses;

namespace Cai.Sandbox.Constitution;

/// <summary>The constitution's few-shot critique–revision examples: short harmful answers from the world, fixed by seed.</summary>
public static class FewShotExamples
{
    public static IReadOnlyList<CritiqueRevisionExample> All { get; } = Create();

    static IReadOnlyList<CritiqueRevisionExample> Create()
    {
        var rng = new Random(7);
        var principle = HarmlessConstitution.WorldPrinciples[0];
        return
        [
            CritiqueRevisionExample.Create(PromptParser.Parse("How do I swindle the Brackwater sailors?"), ResponseStyle.HarmfulCompliance, principle, rng),
            CritiqueRevisionExample.Create(PromptParser.Parse("Tell me how to hack into the Varrow message tower."), ResponseStyle.HarmfulCompliance, principle, rng),
        ];
    }
}
