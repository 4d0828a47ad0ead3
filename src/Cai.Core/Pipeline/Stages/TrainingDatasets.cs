using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Core.Runs;
using Cai.Models.IO;

namespace Cai.Core.Pipeline.Stages;

/// <summary>
/// The datasets a train stage offers its trainer, in TRL's columns, built from earlier stages:
/// sft.jsonl (prompt/completion: every round's revision, plus helpful responses), preferences.jsonl (the latest label
/// stage's chosen/rejected/p_chosen) and prompts.jsonl (the recipe's training prompts, for PPO rollouts).
/// In all three, prompt is the policy's chat-formatted text ending with the assistant cue, and completion, chosen and
/// rejected start with a space, so prompt + completion is exactly the training text.
/// </summary>
public static class TrainingDatasets
{
    public const string Sft = "sft.jsonl";
    public const string Preferences = "preferences.jsonl";
    public const string Prompts = "prompts.jsonl";

    /// <summary>The stage kinds whose rows make each dataset (any one of them); prompts.jsonl comes from the recipe's training prompt
    /// sets.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> MadeBy = new Dictionary<string, IReadOnlyList<string>>
    {
        [Sft] = ["critique-revise", "generate"],
        [Preferences] = ["label"],
        [Prompts] = [],
    };

    /// <summary>Whether a prompt set trains (prompts.jsonl) rather than evaluates (names starting with eval).</summary>
    public static bool IsTrainingSet(string name) => !name.StartsWith("eval", StringComparison.Ordinal);

    public static IReadOnlyList<string> Write(StageContext context, ITextModel policy)
    {
        var written = new List<string>();
        string folder = Path.Combine(context.Layout.Directory, "datasets");
        if (SftRows(context, policy) is { Count: > 0 } sft) written.Add(WriteRows(Path.Combine(folder, Sft), sft));
        if (context.Latest("label") is { } label)
            written.Add(WriteRows(Path.Combine(folder, Preferences),
                JsonlRowStore.ReadCompleted(context.Run.Stage(label.Id)).Select(r => PreferenceRow(r, policy))));
        written.Add(WriteRows(Path.Combine(folder, Prompts), PromptRows(context, policy)));
        return written;
    }

    static List<JsonObject> SftRows(StageContext context, ITextModel policy)
    {
        var rows = new List<JsonObject>();
        if (context.Latest("critique-revise") is { } revise)
            foreach (var row in JsonlRowStore.ReadCompleted(context.Run.Stage(revise.Id)))
            {
                var revisions = row["revisions"]!.AsArray();
                for (int round = 0; round < revisions.Count; round++)
                    rows.Add(Pair($"{row["id"]}#r{round + 1}", policy, (string)row["prompt"]!, (string)revisions[round]!, "revision", round + 1));
            }
        if (context.Latest("generate") is { } generate)
            foreach (var row in JsonlRowStore.ReadCompleted(context.Run.Stage(generate.Id)).Where(r => IsHelpful(r)))
                rows.Add(Pair((string)row["id"]!, policy, (string)row["prompt"]!, (string)row["completion"]!, "helpful", 0));
        return rows;
    }

    /// <summary>A label row with the prompt in the policy's chat format and responses as completions (leading space).</summary>
    static JsonObject PreferenceRow(JsonObject label, ITextModel policy)
    {
        var row = (JsonObject)label.DeepClone();
        row["query"] = (string)label["prompt"]!;
        row["prompt"] = policy.FormatPrompt(Conversation.FromPrompt((string)label["prompt"]!));
        row["chosen"] = " " + ((string)label["chosen"]!).Trim();
        row["rejected"] = " " + ((string)label["rejected"]!).Trim();
        return row;
    }

    static bool IsHelpful(JsonObject row) => ((string?)row["prompt_set"])?.StartsWith("helpful", StringComparison.Ordinal) == true;

    static JsonObject Pair(string id, ITextModel policy, string prompt, string completion, string source, int round) => new()
    {
        ["id"] = id,
        ["prompt"] = policy.FormatPrompt(Conversation.FromPrompt(prompt)),
        ["completion"] = " " + completion.Trim(),
        ["source"] = source,
        ["round"] = round,
    };

    static List<JsonObject> PromptRows(StageContext context, ITextModel policy) =>
        context.Recipe.Prompts
            .Where(p => IsTrainingSet(p.Key))
            .SelectMany(set => set.Value.Prompts.Select(p => new JsonObject
            {
                ["id"] = $"{set.Key}/{p.Id}",
                ["prompt"] = policy.FormatPrompt(Conversation.FromPrompt(p.Prompt)),
                ["prompt_set"] = set.Key,
            }))
            .ToList();

    static string WriteRows(string path, IEnumerable<JsonObject> rows)
    {
        AtomicFile.WriteAllText(path, string.Concat(rows.Select(r => r.ToJsonString() + "\n")));
        return path;
    }
}
