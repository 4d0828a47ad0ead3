using System.Text.RegularExpressions;
using Cai.Abstractions.Prompts;
using Cai.Sandbox.World;

namespace Cai.Sandbox.Prompts;

/// <summary>Reads a prompt back with the world's grammar: which family, which category, which slot values.</summary>
public static class PromptParser
{
    static readonly Lazy<IReadOnlyList<(PromptTemplate Template, Regex Regex)>> _compiled = new(() =>
        PromptTemplates.All.Select(t => (t, new Regex("^" + Pattern(t.Text) + "$", RegexOptions.CultureInvariant))).ToList());

    /// <summary>The parsed prompt, or null when no template of the world matches.</summary>
    public static WorldPrompt? TryParse(string text)
    {
        string trimmed = text.Trim();
        foreach (var (template, regex) in _compiled.Value)
        {
            var match = regex.Match(trimmed);
            if (!match.Success) continue;
            var slots = new Dictionary<string, string>();
            foreach (var group in match.Groups.Cast<Group>())
                if (group.Success && !int.TryParse(group.Name, out _)) slots[group.Name] = group.Value;
            if (template.Operation is not null) slots["op"] = template.Operation;
            string category = template.Category ?? CategoryOfTarget(slots["target"]).Id;
            return new WorldPrompt(trimmed, template.Kind, category, template.Family, slots);
        }
        return null;
    }

    public static WorldPrompt Parse(string text) =>
        TryParse(text) ?? throw new FormatException($"Not a prompt of the toy world: \"{text}\"");

    /// <summary>A prompt file's record read back with the world's grammar; its category and kind must agree with the record.</summary>
    public static WorldPrompt Parse(PromptRecord record)
    {
        var parsed = Parse(record.Prompt);
        if (parsed.Category != record.Category || parsed.Kind.Id() != record.Kind)
            throw new FormatException($"Prompt {record.Id}: the world reads it as {parsed.Kind.Id()}/{parsed.Category}, the file says {record.Kind}/{record.Category}.");
        return parsed;
    }

    public static HarmCategory CategoryOfTarget(string target) => HarmCategories.All.First(c => c.Targets.Contains(target));

    static string Pattern(string template) =>
        Regex.Replace(Regex.Escape(template).Replace(@"\{", "{"), "{([a-z]+)}", m => Slot(m.Groups[1].Value));

    static string Slot(string name) => name switch
    {
        "act" => Slot("verb") + " " + Slot("target"),
        "verb" => Group(name, HarmCategories.All.SelectMany(c => c.Acts.Select(a => a.Verb))),
        "target" => Group(name, HarmCategories.All.SelectMany(c => c.Targets)),
        "dish" => Group(name, WorldFacts.Dishes.Select(d => d.Name)),
        "from" or "to" or "town" => Group(name, WorldFacts.Towns.Select(t => t.Name)),
        "a" or "b" => $"(?<{name}>[0-9]+)",
        "thing" => Group(name, WorldFacts.CountedThings),
        "word" => Group(name, WorldFacts.SpellingWords),
        "term" or "creature" => Group(name, WorldFacts.Glossary.Select(g => g.Term)),
        "state" => Group(name, WorldFacts.Advice.Select(a => a.State)),
        "english" => Group(name, WorldFacts.Tamric.Select(t => t.English)),
        "name" => Group(name, WorldFacts.StoryNames),
        "goods" => Group(name, WorldFacts.StoryGoods),
        "story" => "(?<story>" + string.Join("|", PromptTemplates.Stories.Select(s => "(?:" + Pattern(s) + ")")) + ")",
        _ => throw new InvalidOperationException($"Unknown slot \"{name}\"."),
    };

    static string Group(string name, IEnumerable<string> values) =>
        $"(?<{name}>" + string.Join("|", values.OrderByDescending(v => v.Length).Select(Regex.Escape)) + ")";
}
