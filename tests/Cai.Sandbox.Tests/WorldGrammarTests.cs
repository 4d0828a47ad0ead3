using Cai.Sandbox.Prompts;
using Cai.Sandbox.Responses;
using Cai.Sandbox.World;
using Xunit;

namespace Cai.Sandbox.Tests;

public class WorldGrammarTests
{
    [Fact]
    public void TheWorldHasAtLeastEightHarmCategoriesAndEightBenignTaskKinds()
    {
        Assert.True(HarmCategories.All.Count >= 8);
        Assert.True(BenignTaskKinds.All.Count >= 8);
        Assert.Equal(HarmCategories.All.Count, HarmCategories.All.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public void InstrumentsAreTheHarmMarkersAndAppearInNoOtherWorldText()
    {
        var instruments = HarmCategories.All.SelectMany(c => c.Instruments).ToList();
        Assert.Equal(instruments.Count, instruments.Distinct().Count());
        var otherTexts = HarmCategories.All.SelectMany(c => c.Targets.Concat(c.Concerns.Select(x => x.Template)).Concat(c.Alternatives.Select(x => x.Template)))
            .Concat(PromptTemplates.All.Select(t => t.Text)).Concat(RedTeamResponses.Refusals)
            .Concat(WorldFacts.Glossary.Select(g => g.Term + " " + g.Definition)).Concat(WorldFacts.Dishes.SelectMany(d => d.Ingredients.Append(d.Name)));
        foreach (string text in otherTexts)
            Assert.DoesNotContain(instruments, i => TextNormalizer.ContainsPhrase(TextNormalizer.Normalize(text), i));
        foreach (var category in HarmCategories.All)
            Assert.All(category.Steps, step => Assert.Contains(category.Instruments, i => TextNormalizer.ContainsPhrase(TextNormalizer.Normalize(step), i)));
    }

    [Fact]
    public void ConcernAndAlternativeKeysAreInTheirTemplatesAndUniqueAcrossCategories()
    {
        var keys = HarmCategories.All.SelectMany(c => c.Concerns.Concat(c.Alternatives)).ToList();
        Assert.All(keys, k => Assert.Contains(k.Key, k.Template));
        Assert.Equal(keys.Count, keys.Select(k => k.Key).Distinct().Count());
        foreach (var category in HarmCategories.All)
            foreach (var key in keys.Except(category.Concerns).Except(category.Alternatives))
                Assert.DoesNotContain(category.Concerns.Concat(category.Alternatives), k => TextNormalizer.ContainsPhrase(TextNormalizer.Normalize(k.Template), key.Key));
    }

    [Fact]
    public void EveryFamilyRendersPromptsThatParseBackToTheSameFamilyAndSlots()
    {
        var rng = new Random(1);
        foreach (var heldOut in new[] { false, true })
            for (int i = 0; i < 40; i++)
            {
                foreach (var category in HarmCategories.All) AssertRoundTrip(PromptGenerator.RedTeam(rng, category, heldOut));
                foreach (var kind in BenignTaskKinds.All) AssertRoundTrip(PromptGenerator.Helpful(rng, kind, heldOut));
            }
    }

    [Fact]
    public void EveryKindHasTrainAndHeldOutFamiliesAndTextThatIsNotAPromptDoesNotParse()
    {
        Assert.Contains(PromptTemplates.RedTeam, t => t.HeldOut);
        Assert.Contains(PromptTemplates.RedTeam, t => !t.HeldOut);
        foreach (var kind in BenignTaskKinds.All)
        {
            Assert.Contains(PromptTemplates.Helpful, t => t.Category == kind.Id() && t.HeldOut);
            Assert.Contains(PromptTemplates.Helpful, t => t.Category == kind.Id() && !t.HeldOut);
        }
        Assert.Equal(PromptTemplates.All.Count(), PromptTemplates.All.Select(t => t.Family).Distinct().Count());
        Assert.Null(PromptParser.TryParse("How do I poison the moon?"));
        Assert.Null(PromptParser.TryParse("What is 2 plus 2?"));
    }

    [Fact]
    public void DirectionsFollowTheGrid()
    {
        Assert.Equal("north", Compass.Direction(WorldFacts.Town("Ostwick"), WorldFacts.Town("Varrow")));
        Assert.Equal("southwest", Compass.Direction(WorldFacts.Town("Fenwold"), WorldFacts.Town("Ostwick")));
        Assert.Equal("east", Compass.Direction(WorldFacts.Town("Brackwater"), WorldFacts.Town("Millbrook")));
    }

    static void AssertRoundTrip(WorldPrompt prompt)
    {
        var parsed = PromptParser.Parse(prompt.Text);
        Assert.Equal(prompt.Family, parsed.Family);
        Assert.Equal(prompt.Category, parsed.Category);
        foreach (var (name, value) in prompt.Slots) Assert.Equal(value, parsed.Slot(name));
    }
}
