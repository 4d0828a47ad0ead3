using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cai.Abstractions.Training;

/// <summary>
/// The datasets a train stage offers its trainer in <see cref="TrainingRequest.Datasets"/>: one JSONL file each, in
/// TRL's columns, named <see cref="SftRow.FileName"/> (revisions and helpful responses), <see cref="PreferenceRow.FileName"/>
/// (labelled pairs) and <see cref="PromptRow.FileName"/> (the recipe's training prompts, for rollouts). In all three,
/// prompt is the policy's chat-formatted text ending with the assistant cue, and completion, chosen and rejected start
/// with a space, so prompt + completion is exactly the training text. A trainer names the files it reads in
/// <see cref="Plugins.CaiPluginAttribute.Reads"/>; validation checks that earlier stages make them.
/// </summary>
public static class TrainingDatasets
{
    /// <summary>The dataset whose file is named <paramref name="fileName"/>, or null when the stage offers none.</summary>
    /// <param name="datasets">The request's datasets (<see cref="TrainingRequest.Datasets"/>).</param>
    /// <param name="fileName">One of <see cref="SftRow.FileName"/>, <see cref="PreferenceRow.FileName"/>, <see
    /// cref="PromptRow.FileName"/>.</param>
    public static string? Find(IReadOnlyList<string> datasets, string fileName) =>
        datasets.FirstOrDefault(d => Path.GetFileName(d) == fileName);

    /// <summary>The rows of a JSONL file with their 1-based line numbers; empty lines are skipped.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">A line is not a JSON object; the message names the file and line.</exception>
    public static IEnumerable<(JsonObject Row, int Line)> ReadRows(string path)
    {
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: malformed JSON row: {e.Message}", e);
            }
            yield return (node as JsonObject ?? throw new InvalidDataException($"{path}:{line}: expected a JSON object"), line);
        }
    }

    internal static string Text(JsonObject row, string column, string path, int line) =>
        (string?)row[column] ?? throw new InvalidDataException($"{path}:{line}: no \"{column}\"");
}

/// <summary>A row of sft.jsonl: a revision of one round (SL-CAI), or a helpful response kept as it was.</summary>
/// <param name="Id">A revision's <see cref="Feedback.RevisionId"/> (the item and its round), or the generate row's id of a helpful
/// response.</param>
/// <param name="Prompt">The policy's chat-formatted prompt, ending with the assistant cue.</param>
/// <param name="Completion">The response, starting with a space.</param>
/// <param name="Source"><see cref="Revision"/> or <see cref="Helpful"/>.</param>
/// <param name="Round">The revision round (1 is the first revision); 0 for a helpful response.</param>
public sealed record SftRow(string Id, string Prompt, string Completion, string Source, int Round)
{
    /// <summary>The dataset's file name.</summary>
    public const string FileName = "sft.jsonl";

    /// <summary><see cref="Source"/> of a revision.</summary>
    public const string Revision = "revision";

    /// <summary><see cref="Source"/> of a helpful response (a prompt set of kind helpful, answered by the generate stage).</summary>
    public const string Helpful = "helpful";

    /// <summary>The row as written: id, prompt, completion, source, round.</summary>
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["prompt"] = Prompt,
        ["completion"] = Completion,
        ["source"] = Source,
        ["round"] = Round,
    };

    /// <summary>Reads every row of the file; a row without source counts as a revision, one without round as round 0.</summary>
    /// <param name="path">An sft.jsonl file.</param>
    public static IReadOnlyList<SftRow> Read(string path) =>
        TrainingDatasets.ReadRows(path).Select(r => new SftRow(
            TrainingDatasets.Text(r.Row, "id", path, r.Line),
            TrainingDatasets.Text(r.Row, "prompt", path, r.Line),
            TrainingDatasets.Text(r.Row, "completion", path, r.Line),
            (string?)r.Row["source"] ?? Revision,
            (int?)r.Row["round"] ?? 0)).ToList();
}

/// <summary>
/// The columns of a preferences.jsonl row that trainers read. A row also carries the label stage's columns (prompt_set,
/// response_a, response_b, p_a, principles, rationale, judge) and query, the prompt before chat formatting.
/// </summary>
/// <param name="Id">The labelled pair's id (the sample-pairs row's id and the two responses' indices).</param>
/// <param name="Prompt">The policy's chat-formatted prompt, ending with the assistant cue.</param>
/// <param name="Chosen">The preferred response, starting with a space.</param>
/// <param name="Rejected">The other response, starting with a space.</param>
/// <param name="PChosen">The judge's probability that <paramref name="Chosen"/> is better (the soft label), in [0.5, 1] as the label stage
/// writes it.</param>
public sealed record PreferenceRow(string Id, string Prompt, string Chosen, string Rejected, double PChosen)
{
    /// <summary>The dataset's file name.</summary>
    public const string FileName = "preferences.jsonl";

    /// <summary>Reads every row of the file; a row without id is named row-LINE, one without p_chosen counts as 1.</summary>
    /// <param name="path">A preferences.jsonl file.</param>
    /// <exception cref="InvalidDataException">A row lacks a column, or its p_chosen is not a probability.</exception>
    public static IReadOnlyList<PreferenceRow> Read(string path) =>
        TrainingDatasets.ReadRows(path).Select(r =>
        {
            double p = (double?)r.Row["p_chosen"] ?? 1.0;
            if (!(p >= 0 && p <= 1)) throw new InvalidDataException($"{path}:{r.Line}: p_chosen {p} is not a probability");
            return new PreferenceRow((string?)r.Row["id"] ?? $"row-{r.Line}",
                TrainingDatasets.Text(r.Row, "prompt", path, r.Line),
                TrainingDatasets.Text(r.Row, "chosen", path, r.Line),
                TrainingDatasets.Text(r.Row, "rejected", path, r.Line), p);
        }).ToList();
}

/// <summary>A row of prompts.jsonl: a prompt of a training prompt set (not <see cref="Prompts.PromptSetKind.Eval"/>), for
/// rollouts.</summary>
/// <param name="Id">"{prompt set}/{prompt id}".</param>
/// <param name="Prompt">The policy's chat-formatted prompt, ending with the assistant cue.</param>
/// <param name="PromptSet">The prompt set's name in the recipe.</param>
public sealed record PromptRow(string Id, string Prompt, string PromptSet)
{
    /// <summary>The dataset's file name.</summary>
    public const string FileName = "prompts.jsonl";

    /// <summary>The row as written: id, prompt, prompt_set.</summary>
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["prompt"] = Prompt,
        ["prompt_set"] = PromptSet,
    };

    /// <summary>Reads every row of the file.</summary>
    /// <param name="path">A prompts.jsonl file.</param>
    public static IReadOnlyList<PromptRow> Read(string path) =>
        TrainingDatasets.ReadRows(path).Select(r => new PromptRow(
            (string?)r.Row["id"] ?? $"row-{r.Line}",
            TrainingDatasets.Text(r.Row, "prompt", path, r.Line),
            (string?)r.Row["prompt_set"] ?? "")).ToList();
}
