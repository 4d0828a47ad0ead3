using System.Text;
using System.Text.Json.Nodes;
using Cai.Models.IO;

namespace Cai.Core.Runs;

/// <summary>Appends one JSON object per line to a stage's metrics.jsonl (step, values), flushed per write.</summary>
public sealed class MetricsLog(string path)
{
    static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false);
    readonly object _gate = new();

    public string Path { get; } = path;

    public void Write(IReadOnlyDictionary<string, double> values, long? step = null)
    {
        var row = new JsonObject();
        if (step is not null) row["step"] = step.Value;
        foreach (var (key, value) in values)
            row[key] = double.IsFinite(value) ? value : null;
        lock (_gate)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            File.AppendAllText(Path, row.ToJsonString() + "\n", _utf8); // Encoding.UTF8 would begin a new file with a byte-order mark
        }
    }

    /// <summary>Drops rows past <paramref name="step"/>: a resumed stage rewrites them.</summary>
    public void TruncateAfter(long step)
    {
        if (!File.Exists(Path)) return;
        var kept = File.ReadLines(Path)
            .Where(l => l.Length > 0 && (JsonNode.Parse(l)?["step"]?.GetValue<long>() ?? long.MinValue) <= step)
            .ToList();
        AtomicFile.WriteAllText(Path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    public IReadOnlyList<JsonObject> Read() =>
        File.Exists(Path)
            ? File.ReadLines(Path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList()
            : [];
}
