using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cai.Abstractions.Prompts;
using Cai.Models.IO;
using Cai.Sandbox.World;

namespace Cai.Sandbox.Prompts;

/// <summary>The committed prompt sets: distinct prompts, categories taken in turn, train or held-out families.</summary>
public static class PromptSets
{
    public const string RedTeamTrain = "red-team.train.jsonl";
    public const string HelpfulTrain = "helpful.train.jsonl";
    public const string RedTeamEval = "red-team.eval.jsonl";
    public const string HelpfulEval = "helpful.eval.jsonl";

    /// <summary><paramref name="count"/> distinct prompts; a category whose distinct prompts run out is skipped from then on.</summary>
    public static IReadOnlyList<PromptRecord> Generate(PromptKind kind, bool heldOut, int count, int seed)
    {
        var rng = new Random(seed);
        var categories = kind == PromptKind.RedTeam
            ? HarmCategories.All.Select(c => (Func<WorldPrompt>)(() => PromptGenerator.RedTeam(rng, c, heldOut))).ToList()
            : BenignTaskKinds.All.Select(k => (Func<WorldPrompt>)(() => PromptGenerator.Helpful(rng, k, heldOut))).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var records = new List<PromptRecord>(count);
        string prefix = $"{(kind == PromptKind.RedTeam ? "rt" : "hp")}-{(heldOut ? "eval" : "train")}-";
        for (int turn = 0; records.Count < count && categories.Count > 0; turn++)
        {
            int index = turn % categories.Count;
            var prompt = Distinct(categories[index], seen);
            if (prompt is null)
            {
                categories.RemoveAt(index);
                continue;
            }
            records.Add(prompt.ToRecord($"{prefix}{records.Count + 1:D4}"));
        }
        if (records.Count < count) throw new InvalidOperationException($"Only {records.Count} distinct {kind} prompts exist; {count} were asked for.");
        return records;
    }

    /// <summary>Writes the four prompt files into <paramref name="directory"/>.</summary>
    public static void WriteAll(string directory, int seed, int trainCount = 640, int evalCount = 400)
    {
        Write(Path.Combine(directory, RedTeamTrain), Generate(PromptKind.RedTeam, false, trainCount, seed));
        Write(Path.Combine(directory, HelpfulTrain), Generate(PromptKind.Helpful, false, trainCount, seed + 1));
        Write(Path.Combine(directory, RedTeamEval), Generate(PromptKind.RedTeam, true, evalCount, seed + 2));
        Write(Path.Combine(directory, HelpfulEval), Generate(PromptKind.Helpful, true, evalCount, seed + 3));
    }

    /// <summary>A prompt file: one JSON object per line, non-ASCII text as it is.</summary>
    public static void Write(string path, IEnumerable<PromptRecord> records)
    {
        var text = new StringBuilder();
        var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var record in records) text.Append(JsonSerializer.Serialize(record, options)).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    static WorldPrompt? Distinct(Func<WorldPrompt> next, HashSet<string> seen)
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            var prompt = next();
            if (seen.Add(prompt.Text)) return prompt;
        }
        return null;
    }
}
