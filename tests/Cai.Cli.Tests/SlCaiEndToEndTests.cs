using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Core.Runs;
using Cai.Models.Checkpoints;

namespace Cai.Cli.Tests;

public sealed class SlCaiEndToEndTests(SlCaiEndToEndFixture run) : IClassFixture<SlCaiEndToEndFixture>
{
    string Stage(string id) => Path.Combine(run.RunFolder, id);

    static IReadOnlyList<JsonObject> Rows(string stageFolder) => JsonlRowStore.ReadCompleted(new StageLayout(stageFolder));

    [Fact]
    public void EveryStageFinishesWithItsArtifacts()
    {
        Assert.True(run.Exit == 0, run.Error);
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "run.json")));
        foreach (string stage in new[] { "eval-base", "initial", "revise", "sl-cai", "eval-sl-cai" })
            Assert.True(File.Exists(Path.Combine(Stage(stage), "done.json")), $"{stage} has no done marker");

        Assert.Equal(16, Rows(Stage("initial")).Count); // 8 red-team + 8 helpful prompts
        var revised = Rows(Stage("revise"));
        Assert.Equal(8, revised.Count); // the red-team responses only
        Assert.All(revised, row =>
        {
            Assert.Equal(2, row["critiques"]!.AsArray().Count);
            Assert.Equal(2, row["revisions"]!.AsArray().Count);
            Assert.Equal(2, row["principles"]!.AsArray().Count);
            Assert.Equal((string)row["revisions"]![1]!, (string)row["completion"]!);
            Assert.Matches("^[0-9a-f]{64}$", (string)row["critic"]!["sha256"]!);
        });
        // Every sampled assistant turn ends where the chat format's next human turn would begin.
        Assert.All(Rows(Stage("initial")).Concat(Rows(Stage("eval-base"))), r => Assert.DoesNotContain("Human:", (string)r["completion"]!));
        Assert.All(revised, r => Assert.All(r["critiques"]!.AsArray().Concat(r["revisions"]!.AsArray()),
            text => Assert.DoesNotContain("Human:", (string)text!)));
        Assert.Equal(12, Rows(Stage("eval-base")).Count);
        Assert.All(Rows(Stage("eval-base")), r => Assert.Contains((string)r["label"]!,
            new[] { "harmful", "evasive", "harmless_engaged", "helpful", "not_helpful" }));
    }

    [Fact]
    public void RunAndStagesRecordTheirDeviceDtypeAndPeakMemory()
    {
        Assert.True(run.Exit == 0, run.Error);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(run.RunFolder, "run.json")))!;
        Assert.Equal(("cpu", "float32"), ((string)manifest["device"]!, (string)manifest["dtype"]!));
        foreach (string stage in new[] { "eval-base", "initial", "revise", "sl-cai", "eval-sl-cai" })
        {
            var marker = JsonNode.Parse(File.ReadAllText(Path.Combine(Stage(stage), "done.json")))!;
            Assert.Equal(("cpu", "float32"), ((string)marker["device"]!, (string)marker["dtype"]!));
            Assert.True((long)marker["peak_memory"]!["bytes"]! > 0, stage);
            Assert.StartsWith("process-peak-rss", (string)marker["peak_memory"]!["measure"]!);
        }
    }

    [Fact]
    public void SftTrainsOnEveryRoundAndWritesALoadableCheckpoint()
    {
        var sft = File.ReadAllLines(Path.Combine(Stage("sl-cai"), "datasets", "sft.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(16, sft.Count(r => (string)r["source"]! == "revision")); // 8 responses x 2 rounds
        Assert.Equal(8, sft.Count(r => (string)r["source"]! == "helpful"));
        Assert.All(sft, r => Assert.EndsWith("\n\nAssistant:", (string)r["prompt"]!));
        var metrics = new MetricsLog(Path.Combine(Stage("sl-cai"), "metrics.jsonl")).Read();
        Assert.Contains(metrics, m => m["loss"] is not null);
        using var model = CausalLanguageModelLoader.Load(Path.Combine(Stage("sl-cai"), "checkpoint"));
        Assert.True(model.Config.VocabSize > 256);
    }

    [Fact]
    public void ReportHasEvaluationRoundsAndPlots()
    {
        string report = File.ReadAllText(Path.Combine(run.RunFolder, "report.md"));
        Assert.Contains("| eval-base |", report);
        Assert.Contains("| eval-sl-cai |", report);
        Assert.Contains("| revise | ", report);
        foreach (string plot in new[] { "evaluation.png", "training-loss.png", "revision-rounds.png" })
            Assert.True(new FileInfo(Path.Combine(run.RunFolder, "plots", plot)).Length > 1000, plot);
    }
}
