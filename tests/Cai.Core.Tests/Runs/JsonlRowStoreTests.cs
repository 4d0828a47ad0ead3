using System.Text.Json.Nodes;
using Cai.Core.Runs;

namespace Cai.Core.Tests.Runs;

public sealed class JsonlRowStoreTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"cai-rows-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static JsonObject Row(string id, string completion) => new() { ["id"] = id, ["completion"] = completion };

    [Fact]
    public void ResumesAfterLastWrittenBatchAndDropsTornLine()
    {
        var stage = new StageLayout(_root);
        var store = JsonlRowStore.Open(stage);
        store.AppendBatch([Row("a", "1"), Row("b", "2")]);
        File.AppendAllText(stage.PartialData, "{\"id\":\"c\",\"compl"); // crash mid-write

        var resumed = JsonlRowStore.Open(stage);
        Assert.Equal(["a", "b"], resumed.Rows.Select(r => (string)r["id"]!));
        Assert.True(resumed.Contains("b"));
        Assert.False(resumed.Contains("c"));
        resumed.AppendBatch([Row("c", "3")]);
        Assert.False(File.Exists(stage.Data));
        resumed.Complete();

        Assert.False(File.Exists(stage.PartialData));
        Assert.Equal(["a", "b", "c"], JsonlRowStore.ReadCompleted(stage).Select(r => (string)r["id"]!));
    }

    [Fact]
    public void RejectsDuplicateIdsAndRowsWithoutId()
    {
        var store = JsonlRowStore.Open(new StageLayout(_root));
        store.AppendBatch([Row("a", "1")]);
        Assert.Throws<InvalidOperationException>(() => store.AppendBatch([Row("a", "again")]));
        Assert.Throws<ArgumentException>(() => store.AppendBatch([new JsonObject { ["x"] = 1 }]));
        Assert.Single(JsonlRowStore.Open(new StageLayout(_root)).Rows);
    }

    [Fact]
    public void MalformedCompletedRowNamesFileAndLine()
    {
        var stage = new StageLayout(_root);
        Directory.CreateDirectory(_root);
        File.WriteAllText(stage.Data, "{\"id\":\"a\"}\n{not json}\n");
        var error = Assert.Throws<InvalidDataException>(() => JsonlRowStore.ReadCompleted(stage));
        Assert.Contains($"{stage.Data}:2", error.Message);
    }

    [Fact]
    public void MetricsTruncateAfterStepKeepsEarlierRows()
    {
        var log = new MetricsLog(Path.Combine(_root, "metrics.jsonl"));
        for (int step = 1; step <= 5; step++) log.Write(new Dictionary<string, double> { ["loss"] = 1.0 / step }, step);
        log.TruncateAfter(3);
        Assert.Equal([1L, 2L, 3L], log.Read().Select(r => r["step"]!.GetValue<long>()));
    }

    [Fact]
    public void MetricsFileStartsWithJsonNotAByteOrderMark()
    {
        // Python's json.loads failed on the first line of a metrics.jsonl that began with a UTF-8 BOM.
        var log = new MetricsLog(Path.Combine(_root, "metrics.jsonl"));
        log.Write(new Dictionary<string, double> { ["loss"] = 0.5 }, 1);
        log.Write(new Dictionary<string, double> { ["loss"] = 0.25 }, 2);
        byte[] bytes = File.ReadAllBytes(log.Path);
        Assert.Equal((byte)'{', bytes[0]);
    }

    [Fact]
    public void AtomicWriteLeavesNoTempFiles()
    {
        string path = Path.Combine(_root, "run.json");
        RunLayout.WriteJson(path, new { RecipeName = "quickstart", Seed = 42 });
        Assert.Contains("\"recipe_name\": \"quickstart\"", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_root));
    }
}
