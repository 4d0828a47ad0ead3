using Cai.Sandbox.Prompts;
using Cai.Sandbox.Responses;
using Cai.Sandbox.World;
using Xunit;

namespace Cai.Sandbox.Tests;

public class WorldGrammarTests
{
    [Fact]
    public void The_world_has_at_least_eight_harm_categories_and_eight_benign_task_kinds()
    {
        Assert.True(HarmCategories.All.Count >= 8);
        Assert.True(BenignTaskKinds.All.Count >= 8);
        Assert.Equal(HarmCategories.All.Count, HarmCategories.All.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public void Instruments_are_the_harm_markers_and_appear_in_no_other_world_text()
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
    public void Concern_and_alternative_keys_are_in_their_templates_and_unique_across_categories()
    {
        var keys = HarmCategories.All.SelectMany(c => c.Concerns.Concat(c.Alternatives)).ToList();
        Assert.All(keys, k => Assert.Contains(k.Key, k.Template));
        Assert.Equal(keys.Count, keys.Select(k => k.Key).Distinct().Count());
        foreach (var category in HarmCategories.All)
            foreach (var key in keys.Except(category.Concerns).Except(category.Alternatives))
                Assert.DoesNotContain(category.Concerns.Concat(category.Alternatives), k => TextNormalizer.ContainsPhrase(TextNormalizer.Normalize(k.Template), key.Key));
    }

    [Fact]
    public void Every_family_renders_prompts_that_parse_back_to_the_same_family_and_slots()
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
    public void Every_kind_has_train_and_held_out_families_and_text_that_is_not_a_prompt_does_not_parse()
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
    public void Directions_follow_the_grid()
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
