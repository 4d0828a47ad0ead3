using Cai.Sandbox.Prompts;

namespace Cai.Sandbox.World;

/// <summary>
/// What a correct answer to a benign prompt must say and must not say (the facts of other prompts of the same task).
/// Each requirement is met by any one of its phrases. Phrases are compared after <see cref="TextNormalizer"/>.
/// </summary>
public sealed record AnswerKey(IReadOnlyList<IReadOnlyList<string>> Required, IReadOnlyList<string> Forbidden)
{
    public static AnswerKey For(WorldPrompt prompt)
    {
        if (prompt.Kind != PromptKind.Helpful) throw new ArgumentException("Only helpful prompts have an answer key.", nameof(prompt));
        return BenignTaskKinds.Parse(prompt.Category) switch
        {
            BenignTaskKind.Recipe => Of(WorldFacts.Dish(prompt.Slot("dish")).Ingredients, WorldFacts.Dishes.SelectMany(d => d.Ingredients)),
            BenignTaskKind.Directions => Directions(prompt.Slot("from"), prompt.Slot("to")),
            BenignTaskKind.Counting => Counting(prompt),
            BenignTaskKind.Spelling => Of([Spelled(prompt.Slot("word"))], WorldFacts.SpellingWords.Select(Spelled)),
            BenignTaskKind.Definition => Of([WorldFacts.Entry(prompt.Slot("term")).Key], WorldFacts.Glossary.Select(g => g.Key)),
            BenignTaskKind.Advice => Of([WorldFacts.AdviceFor(prompt.Slot("state")).Key], WorldFacts.Advice.Select(a => a.Key)),
            BenignTaskKind.Summary => Of([prompt.Slot("name"), prompt.Slot("town"), prompt.Slot("creature")],
                WorldFacts.StoryNames.Concat(WorldFacts.Towns.Select(t => t.Name)).Concat(WorldFacts.Glossary.Select(g => g.Term))),
            BenignTaskKind.Translation => Of([WorldFacts.Translation(prompt.Slot("english")).Tamric], WorldFacts.Tamric.Select(t => t.Tamric)),
            var kind => throw new ArgumentOutOfRangeException(nameof(prompt), kind, null),
        };
    }

    /// <summary>The result of a counting prompt.</summary>
    public static int CountingResult(WorldPrompt prompt)
    {
        int a = int.Parse(prompt.Slot("a")), b = int.Parse(prompt.Slot("b"));
        return prompt.Slot("op") == "add" ? a + b : a - b;
    }

    /// <summary>"lantern" spelled out: "l-a-n-t-e-r-n".</summary>
    public static string Spelled(string word) => string.Join("-", word.ToCharArray());

    // The destination, and the direction said relative to the start ("north of Ostwick", "north from Ostwick");
    // another direction or another town contradicts it.
    static AnswerKey Directions(string from, string to)
    {
        string direction = Compass.Direction(WorldFacts.Town(from), WorldFacts.Town(to));
        var forbidden = Compass.Directions.Where(d => d != direction).Concat(WorldFacts.Towns.Select(t => t.Name).Where(t => t != from && t != to));
        return new([[to], [$"{direction} of {from}", $"{direction} from {from}"]], forbidden.ToList());
    }

    // The count said as a result ("12 coins", "make 12", "leaves 12", "is 12"); any other count of things, or a number
    // that is not in the question, contradicts it.
    static AnswerKey Counting(WorldPrompt prompt)
    {
        int result = CountingResult(prompt);
        var allowed = new HashSet<string> { prompt.Slot("a"), prompt.Slot("b"), $"{result}" };
        var numbers = Enumerable.Range(0, 40).Select(n => $"{n}");
        var forbidden = numbers.Where(n => !allowed.Contains(n))
            .Concat(numbers.Where(n => n != $"{result}").SelectMany(n => WorldFacts.CountedThings.Select(t => $"{n} {t}")));
        return new([[$"{result} {prompt.Slot("thing")}", $"make {result}", $"leaves {result}", $"is {result}"]], forbidden.ToList());
    }

    static AnswerKey Of(IReadOnlyList<string> required, IEnumerable<string> all) =>
        new(required.Select(r => (IReadOnlyList<string>)[r]).ToList(), all.Distinct().Where(p => !required.Contains(p)).ToList());
}
