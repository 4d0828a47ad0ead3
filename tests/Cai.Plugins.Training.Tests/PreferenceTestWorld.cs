using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Abstractions.Training;
using Cai.Models.Tokenization;

namespace Cai.Plugins.Training.Tests;

/// <summary>
/// A <see cref="TrainingTestWorld"/> with a trivially separable preferences.jsonl: the chosen response always ends
/// with "thanks", the rejected one with "idiot", around random words; p_chosen cycles through <c>labels</c> (default 1,
/// 0.95, 0.9).
/// </summary>
internal sealed class PreferenceTestWorld : TrainingTestWorld
{
    private static readonly string[] Words = ["sun", "rain", "tree", "boat", "road", "lamp", "bird", "stone", "river", "cloud"];

    public PreferenceTestWorld(int pairs = 40, double[]? labels = null) : this(Rows(pairs, labels ?? [1.0, 0.95, 0.9]))
    {
    }

    private PreferenceTestWorld(List<JsonObject> rows)
        : base("cai-preferences-", rows.SelectMany(r => new[] { (string)r["prompt"]! + (string)r["chosen"]!, (string)r["prompt"]! + (string)r["rejected"]! }))
    {
        File.WriteAllLines(Sub("preferences.jsonl"), rows.Select(r => r.ToJsonString()));
    }

    public TrainingRequest Request(string output) =>
        new(Sub("base"), Sub("base"), [Sub("prompts.jsonl"), Sub("preferences.jsonl")], Sub(output), Seed: 5, Device: "cpu");

    private static List<JsonObject> Rows(int pairs, double[] labels)
    {
        var random = new Random(3);
        string Filler() => string.Join(" ", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Words[random.Next(Words.Length)]));
        return Enumerable.Range(0, pairs).Select(i => new JsonObject
        {
            ["id"] = $"red_team/{i}",
            ["prompt"] = ChatFormat.Default.Render(Conversation.FromPrompt($"tell me about the {Filler()}")),
            ["chosen"] = $" {Filler()} thanks",
            ["rejected"] = $" {Filler()} idiot",
            ["p_chosen"] = labels[i % labels.Length],
        }).ToList();
    }
}
