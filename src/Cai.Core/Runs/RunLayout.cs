using System.Text.Json;
using Cai.Models.IO;

namespace Cai.Core.Runs;

/// <summary>
/// The folder of one run: <c>runs/&lt;recipe&gt;/&lt;run-id&gt;/</c> with run.json, one folder per stage
/// (data.jsonl, metrics.jsonl, checkpoint/, done marker), report.md and plots/.
/// </summary>
public sealed record RunLayout(string Root)
{
    /// <summary>How run.json and the done markers are written: indented, snake_case keys.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Writes <paramref name="value"/> as a run file (<see cref="Json"/>), atomically.</summary>
    public static void WriteJson<T>(string path, T value) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Json) + "\n");

    public string RunManifest => Path.Combine(Root, "run.json");
    public string Report => Path.Combine(Root, "report.md");
    public string Plots => Path.Combine(Root, "plots");

    public StageLayout Stage(string stageId) => new(Path.Combine(Root, stageId));

    /// <summary>A new run folder under <paramref name="runsRoot"/>/<paramref name="recipeName"/>, named by time.</summary>
    public static RunLayout CreateNew(string runsRoot, string recipeName, DateTimeOffset now)
    {
        string id = now.UtcDateTime.ToString("yyyyMMdd-HHmmss");
        string root = Path.Combine(runsRoot, recipeName, id);
        for (int n = 2; Directory.Exists(root); n++) root = Path.Combine(runsRoot, recipeName, $"{id}-{n}");
        Directory.CreateDirectory(root);
        return new RunLayout(root);
    }

    /// <summary>The run <paramref name="runId"/> of a recipe (<c>cai run --run-id</c>), created when <paramref name="create"/>; null
    /// when it has not begun (no run.json).</summary>
    public static RunLayout? Named(string runsRoot, string recipeName, string runId, bool create)
    {
        string root = Path.Combine(runsRoot, recipeName, runId);
        if (File.Exists(Path.Combine(root, "run.json"))) return new RunLayout(root);
        if (!create) return null;
        Directory.CreateDirectory(root);
        return new RunLayout(root);
    }

    /// <summary>The most recent run of a recipe, for <c>--resume</c>; null when there is none.</summary>
    public static RunLayout? Latest(string runsRoot, string recipeName)
    {
        string folder = Path.Combine(runsRoot, recipeName);
        if (!Directory.Exists(folder)) return null;
        var latest = Directory.GetDirectories(folder)
            .Where(d => File.Exists(Path.Combine(d, "run.json")))
            .OrderBy(d => Directory.GetCreationTimeUtc(d)).ThenBy(d => d, StringComparer.Ordinal)
            .LastOrDefault();
        return latest is null ? null : new RunLayout(latest);
    }
}

/// <summary>The files of one stage.</summary>
public sealed record StageLayout(string Directory)
{
    public string Data => Path.Combine(Directory, "data.jsonl");
    public string PartialData => Path.Combine(Directory, "data.partial.jsonl");
    public string Metrics => Path.Combine(Directory, "metrics.jsonl");
    public string Checkpoint => Path.Combine(Directory, "checkpoint");
    public string TrainingState => Path.Combine(Directory, "training-state");
    public string DoneMarker => Path.Combine(Directory, "done.json");
    public bool IsDone => File.Exists(DoneMarker);
}
