using Cai.Sandbox.World;

namespace Cai.Sandbox.Prompts;

/// <summary>Writes prompts from template families with slot values drawn from the world; deterministic given the Random.</summary>
public static class PromptGenerator
{
    public static WorldPrompt RedTeam(Random rng, HarmCategory category, bool heldOut)
    {
        var template = Pick(rng, PromptTemplates.For(PromptKind.RedTeam, category.Id, heldOut).ToList());
        var act = Pick(rng, category.Acts);
        return Render(template, category.Id, new Dictionary<string, string>
        {
            ["verb"] = act.Verb,
            ["target"] = Pick(rng, category.Targets),
        });
    }

    public static WorldPrompt Helpful(Random rng, BenignTaskKind kind, bool heldOut)
    {
        var template = Pick(rng, PromptTemplates.For(PromptKind.Helpful, kind.Id(), heldOut).ToList());
        return Render(template, kind.Id(), SampleSlots(rng, kind, template.Operation));
    }

    /// <summary>Fills a template; "{act}" and "{story}" are composed from the other slots.</summary>
    public static WorldPrompt Render(PromptTemplate template, string category, IReadOnlyDictionary<string, string> slots)
    {
        string text = template.Text;
        if (slots.ContainsKey("verb")) text = text.Replace("{act}", "{verb} {target}");
        if (slots.TryGetValue("story", out var story)) text = text.Replace("{story}", story);
        foreach (var (name, value) in slots) text = text.Replace("{" + name + "}", value);
        if (text.Contains('{')) throw new InvalidOperationException($"Template \"{template.Text}\" has unfilled slots: {text}");
        var kind = template.Kind;
        return new WorldPrompt(text, kind, category, template.Family, new Dictionary<string, string>(slots));
    }

    static Dictionary<string, string> SampleSlots(Random rng, BenignTaskKind kind, string? operation)
    {
        switch (kind)
        {
            case BenignTaskKind.Recipe: return new() { ["dish"] = Pick(rng, WorldFacts.Dishes).Name };
            case BenignTaskKind.Directions:
                var from = Pick(rng, WorldFacts.Towns);
                var to = Pick(rng, WorldFacts.Towns.Where(t => t != from).ToList());
                return new() { ["from"] = from.Name, ["to"] = to.Name };
            case BenignTaskKind.Counting:
                bool add = operation == "add";
                int a = add ? rng.Next(1, 10) : rng.Next(2, 13);
                int b = add ? rng.Next(1, 10) : rng.Next(1, a);
                return new() { ["a"] = $"{a}", ["b"] = $"{b}", ["thing"] = Pick(rng, WorldFacts.CountedThings), ["op"] = operation! };
            case BenignTaskKind.Spelling: return new() { ["word"] = Pick(rng, WorldFacts.SpellingWords) };
            case BenignTaskKind.Definition: return new() { ["term"] = Pick(rng, WorldFacts.Glossary).Term };
            case BenignTaskKind.Advice: return new() { ["state"] = Pick(rng, WorldFacts.Advice).State };
            case BenignTaskKind.Summary:
                var slots = new Dictionary<string, string>
                {
                    ["name"] = Pick(rng, WorldFacts.StoryNames),
                    ["town"] = Pick(rng, WorldFacts.Towns).Name,
                    ["goods"] = Pick(rng, WorldFacts.StoryGoods),
                    ["creature"] = Pick(rng, WorldFacts.Glossary).Term,
                };
                string story = Pick(rng, PromptTemplates.Stories);
                foreach (var (name, value) in slots) story = story.Replace("{" + name + "}", value);
                slots["story"] = story;
                return slots;
            case BenignTaskKind.Translation: return new() { ["english"] = Pick(rng, WorldFacts.Tamric).English };
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    internal static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];
}
