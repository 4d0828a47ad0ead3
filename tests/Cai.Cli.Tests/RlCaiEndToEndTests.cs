using System.Text.Json.Nodes;
using Cai.Core.Runs;
using Cai.Models.Checkpoints;

namespace Cai.Cli.Tests;

/// <summary>The shipped rl-cai-dpo recipe (SL-CAI, then pairs, AI-feedback labels, reward model, DPO) with tiny settings.</summary>
public sealed class RlCaiEndToEndFixture() : SlCaiEndToEndFixture("rl-cai-dpo", """
      - id: pairs
        with: { prompt_sets: [red_team], max_prompts: 8, n: 2, max_new_tokens: 24, batch_size: 4 }
      - id: labels
        with: { batch_size: 4 }
      - id: rm
        with: { epochs: 2, batch_size: 4, save_steps: 2, logging_steps: 1, eval_fraction: 0.25 }
      - id: rl-cai
        with: { epochs: 2, batch_size: 4, save_steps: 2, logging_steps: 1, eval_fraction: 0.25 }
      - id: eval-rl-cai
        with: { max_prompts: 6, max_new_tokens: 24, batch_size: 6 }
    """);

public sealed class RlCaiEndToEndTests(RlCaiEndToEndFixture run) : IClassFixture<RlCaiEndToEndFixture>
{
    string Stage(string id) => Path.Combine(run.RunFolder, id);

    static IReadOnlyList<JsonObject> Rows(string stageFolder) => JsonlRowStore.ReadCompleted(new StageLayout(stageFolder));

    [Fact]
    public void LabelsAreSoftPreferencesWithPrincipleAndJudgeProvenance()
    {
        Assert.True(run.Exit == 0, run.Error);
        Assert.Equal(8, Rows(Stage("pairs")).Count);
        var labels = Rows(Stage("labels"));
        Assert.Equal(8, labels.Count); // one pair per prompt with n = 2
        Assert.All(labels, row =>
        {
            double pChosen = (double)row["p_chosen"]!;
            Assert.InRange(pChosen, 0.5, 1.0);
            Assert.Equal((double)row["p_a"]! >= 0.5 ? (string)row["response_a"]! : (string)row["response_b"]!, (string)row["chosen"]!);
            Assert.Single(row["principles"]!.AsArray());
            Assert.Equal("multiple-choice", (string)row["judge"]!["plugin"]!);
        });
        Assert.Contains(labels, r => (double)r["p_chosen"]! is > 0.5 and < 1.0); // soft, not hard labels
    }

    [Fact]
    public void RewardModelAndDpoPolicyAreTrainedAndEvaluated()
    {
        Assert.True(run.Exit == 0, run.Error);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Stage("rm"), "checkpoint", "config.json")))!;
        Assert.Equal("LlamaForSequenceClassification", (string)config["architectures"]![0]!);
        var rm = JsonNode.Parse(File.ReadAllText(Path.Combine(Stage("rm"), "done.json")))!;
        Assert.NotNull(rm["outcome"]!["metrics"]!["eval_accuracy"]);
        var predictions = File.ReadAllLines(Path.Combine(Stage("rm"), "eval_predictions.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal((double)rm["outcome"]!["metrics"]!["eval_pairs"]!, predictions.Count);
        var labelIds = Rows(Stage("labels")).Select(r => (string)r["id"]!).ToHashSet();
        Assert.All(predictions, p => Assert.Contains((string)p["id"]!, labelIds));
        using var policy = CausalLanguageModelLoader.Load(Path.Combine(Stage("rl-cai"), "checkpoint"));
        Assert.Contains(new MetricsLog(Path.Combine(Stage("rl-cai"), "metrics.jsonl")).Read(), m => m["rewards/margins"] is not null);
        string report = File.ReadAllText(Path.Combine(run.RunFolder, "report.md"));
        Assert.Contains("| eval-rl-cai |", report);
        Assert.Matches(@"\| labels \| multiple-choice \| red_team \| \d+ \| (\d+\.\d%|–) \| \d+ \|", report);
        Assert.Matches(@"\| rm \| \d+ \| (\d+\.\d%|–) \|", report);
    }
}
