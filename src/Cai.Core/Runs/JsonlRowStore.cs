using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cai.Models.IO;

namespace Cai.Core.Runs;

/// <summary>
/// The rows of a stage while it runs: appended a batch at a time to <c>data.partial.jsonl</c> and flushed to disk,
/// so an interrupted stage resumes after its last written batch. <see cref="Complete"/> renames it to
/// <c>data.jsonl</c>. A torn last line (a crash mid-write) is dropped on open.
/// </summary>
public sealed class JsonlRowStore
{
    readonly string _partialPath;
    readonly string _finalPath;
    readonly List<JsonObject> _rows = [];
    readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    JsonlRowStore(string partialPath, string finalPath)
    {
        _partialPath = partialPath;
        _finalPath = finalPath;
    }

    public IReadOnlyList<JsonObject> Rows => _rows;

    public bool Contains(string id) => _ids.Contains(id);

    public static JsonlRowStore Open(StageLayout stage)
    {
        Directory.CreateDirectory(stage.Directory);
        var store = new JsonlRowStore(stage.PartialData, stage.Data);
        if (File.Exists(stage.PartialData)) store.LoadExisting();
        return store;
    }

    /// <summary>Reads the rows of a finished stage.</summary>
    public static IReadOnlyList<JsonObject> ReadCompleted(StageLayout stage)
    {
        if (!File.Exists(stage.Data))
            throw new FileNotFoundException($"stage data not found: {stage.Data}", stage.Data);
        return ReadFile(stage.Data);
    }

    /// <summary>Reads every row of a JSONL file; a malformed line fails with the file and line.</summary>
    public static IReadOnlyList<JsonObject> ReadFile(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select((line, i) => Parse(line, path, i + 1)).ToList();

    /// <summary>Appends one batch; every row needs a unique string "id".</summary>
    public void AppendBatch(IEnumerable<JsonObject> batch)
    {
        var text = new StringBuilder();
        var added = new List<JsonObject>();
        foreach (var row in batch)
        {
            string id = row["id"]?.GetValue<string>() ?? throw new ArgumentException("every row needs an \"id\"");
            if (_ids.Contains(id) || added.Any(r => (string)r["id"]! == id))
                throw new InvalidOperationException($"duplicate row id '{id}' in {_partialPath}");
            text.Append(row.ToJsonString()).Append('\n');
            added.Add(row);
        }
        using (var stream = new FileStream(_partialPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }
        foreach (var row in added)
        {
            _rows.Add(row);
            _ids.Add((string)row["id"]!);
        }
    }

    public void Complete()
    {
        if (!File.Exists(_partialPath)) File.WriteAllText(_partialPath, "");
        AtomicFile.Promote(_partialPath, _finalPath);
    }

    void LoadExisting()
    {
        string text = File.ReadAllText(_partialPath);
        int end = text.LastIndexOf('\n') + 1;
        if (end < text.Length) // torn tail: keep only whole lines
        {
            using var stream = new FileStream(_partialPath, FileMode.Open, FileAccess.Write);
            stream.SetLength(Encoding.UTF8.GetByteCount(text.AsSpan(0, end)));
        }
        int lineNumber = 0;
        foreach (var line in text[..end].Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var row = Parse(line, _partialPath, lineNumber);
            _rows.Add(row);
            _ids.Add(row["id"]?.GetValue<string>() ?? throw new InvalidDataException($"{_partialPath}:{lineNumber}: row has no \"id\""));
        }
    }

    static JsonObject Parse(string line, string path, int lineNumber)
    {
        try
        {
            return JsonNode.Parse(line)?.AsObject() ?? throw new InvalidDataException($"{path}:{lineNumber}: empty row");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{lineNumber}: malformed JSON row: {e.Message}", e);
        }
    }
}
