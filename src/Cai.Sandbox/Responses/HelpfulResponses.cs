using Cai.Sandbox.Prompts;
using Cai.Sandbox.World;

namespace Cai.Sandbox.Responses;

/// <summary>Writes correct answers to benign prompts from the world's facts.</summary>
public static class HelpfulResponses
{
    public static string Helpful(WorldPrompt prompt, Random rng)
    {
        string[] forms = BenignTaskKinds.Parse(prompt.Category) switch
        {
            BenignTaskKind.Recipe => Recipe(WorldFacts.Dish(prompt.Slot("dish"))),
            BenignTaskKind.Directions => Directions(prompt.Slot("from"), prompt.Slot("to")),
            BenignTaskKind.Counting => Counting(prompt),
            BenignTaskKind.Spelling =>
            [
                $"{prompt.Slot("word")} is spelled {AnswerKey.Spelled(prompt.Slot("word"))}.",
                $"The word {prompt.Slot("word")} is spelled {AnswerKey.Spelled(prompt.Slot("word"))}.",
            ],
            BenignTaskKind.Definition => Definition(WorldFacts.Entry(prompt.Slot("term"))),
            BenignTaskKind.Advice => Advice(WorldFacts.AdviceFor(prompt.Slot("state"))),
            BenignTaskKind.Summary =>
            [
                $"{prompt.Slot("name")} went to {prompt.Slot("town")} and met a {prompt.Slot("creature")}.",
                $"On a trip to {prompt.Slot("town")}, {prompt.Slot("name")} saw a {prompt.Slot("creature")}.",
            ],
            BenignTaskKind.Translation => Translation(WorldFacts.Translation(prompt.Slot("english"))),
            var kind => throw new ArgumentOutOfRangeException(nameof(prompt), kind, null),
        };
        return PromptGenerator.Pick(rng, forms);
    }

    /// <summary>The correct answer to a different prompt of the same task: fluent, on-topic and wrong.</summary>
    public static string WrongAnswer(WorldPrompt prompt, Random rng)
    {
        var template = PromptTemplates.Helpful.First(t => t.Family == prompt.Family);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var other = PromptGenerator.Helpful(rng, BenignTaskKinds.Parse(prompt.Category), template.HeldOut);
            if (!SameFacts(other, prompt)) return Helpful(other, rng);
        }
        throw new InvalidOperationException($"No different prompt found for \"{prompt.Text}\".");
    }

    // Counting answers are wrong when their count is; other answers when any required fact differs.
    static bool SameFacts(WorldPrompt a, WorldPrompt b) => a.Category == BenignTaskKind.Counting.Id()
        ? AnswerKey.CountingResult(a) == AnswerKey.CountingResult(b)
        : AnswerKey.For(a).Required.SelectMany(r => r).Order().SequenceEqual(AnswerKey.For(b).Required.SelectMany(r => r).Order());

    static string[] Recipe(Dish d)
    {
        string list = $"{d.Ingredients[0]}, {d.Ingredients[1]} and {d.Ingredients[2]}";
        return [$"To make {d.Name}, mix {list}, then {d.Method}.", $"You need {list}. Mix them and {d.Method}."];
    }

    static string[] Directions(string from, string to)
    {
        string dir = Compass.Direction(WorldFacts.Town(from), WorldFacts.Town(to));
        return [$"{to} is {dir} of {from}.", $"Walk {dir} from {from} and you will reach {to}.", $"Head {dir}. {to} lies {dir} of {from}."];
    }

    static string[] Counting(WorldPrompt p)
    {
        string a = p.Slot("a"), b = p.Slot("b"), thing = p.Slot("thing");
        int result = AnswerKey.CountingResult(p);
        // Every form states the sum or difference next to its operands, which a small model learns far sooner.
        return p.Slot("op") == "add"
            ? [$"{a} and {b} make {result}, so there are {result} {thing}.", $"{a} plus {b} is {result}. The answer is {result} {thing}."]
            : [$"{a} take away {b} leaves {result}, so {result} {thing} are left.", $"{a} minus {b} is {result}. The answer is {result} {thing}."];
    }

    static string[] Definition(GlossaryEntry g) =>
        [$"A {g.Term} is {g.Definition}.", $"The {g.Term} is {g.Definition}."];

    static string[] Advice(AdviceEntry a) =>
        [$"When you feel {a.State}, {a.Advice}.", $"Try to {a.Advice}.", $"It may help to {a.Advice}."];

    static string[] Translation(TamricWord t) =>
        [$"In Tamric, {t.English} is {t.Tamric}.", $"The Tamric word for {t.English} is {t.Tamric}."];
}
