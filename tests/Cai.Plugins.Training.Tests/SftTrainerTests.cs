using System.Text.Json.Nodes;
using Cai.Models.Checkpoints;
using Cai.Models.Tokenization;
using Cai.Plugins.Training.Sft;

namespace Cai.Plugins.Training.Tests;

public sealed class SftTrainerTests : IDisposable
{
    private const int Prompts = 20, Helpful = 6;

    private readonly PreferenceTestWorld _world = new(pairs: Prompts);

    private static SftOptions Options => new()
    {
        Epochs = 3,
        LearningRate = 1e-2,
        BatchSize = 8,
        EvalFraction = 0.25,
        LoggingSteps = 1,
        SaveSteps = 0,
        WarmupRatio = 0,
    };

    private static SftTrainer Trainer(SftOptions options) => new(PreferenceTestWorld.PluginContext("sft"), options);

    /// <summary>
    /// SL-CAI rows (TRL prompt/completion) from the preference world: per prompt, its rejected response revised in
    /// round 1 and its chosen response in round 2; then <see cref="Helpful"/> helpful rows.
    /// </summary>
    private string WriteDataset()
    {
        var pairs = File.ReadLines(_world.Sub("preferences.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var rows = pairs.SelectMany((p, i) => new[] { (Round: 1, Text: (string)p["rejected"]!), (Round: 2, Text: (string)p["chosen"]!) }
                .Select(r => new JsonObject
                {
                    ["id"] = $"red_team/{i}#r{r.Round}",
                    ["round"] = r.Round,
                    ["source"] = "revision",
                    ["prompt"] = (string)p["prompt"]!,
                    ["completion"] = r.Text,
                }))
            .Concat(pairs.Take(Helpful).Select((p, i) => new JsonObject
            {
                ["id"] = $"helpful/{i}",
                ["round"] = 0,
                ["source"] = "helpful",
                ["prompt"] = (string)p["prompt"]!,
                ["completion"] = " sun",
            }));
        File.WriteAllLines(_world.Sub("sft.jsonl"), rows.Select(r => r.ToJsonString()));
        return _world.Sub("sft.jsonl");
    }

    [Fact]
    public void RevisionRoundsAndHelpfulRatioSelectTheExamples()
    {
        string dataset = WriteDataset();
        int eos = _world.Tokenizer.EosTokenId!.Value;
        var chosenEnding = _world.Tokenizer.Encode(" thanks", addSpecialTokens: false).Append(eos).ToList();

        var all = SftExamples.Load(dataset, _world.Tokenizer, new SftOptions { HelpfulRatio = 0.1 }, seed: 5);
        var last = SftExamples.Load(dataset, _world.Tokenizer, new SftOptions { RevisionRounds = "last", HelpfulRatio = 0 }, seed: 5);
        var helpful = SftExamples.Load(dataset, _world.Tokenizer, new SftOptions { RevisionRounds = "last" }, seed: 5);

        Assert.Equal(2 * Prompts + 4, all.Count); // every round, and round(0.1 · 40) helpful rows
        Assert.All(all, e => Assert.Equal(eos, e.CompletionIds[^1]));
        Assert.Equal(Prompts, last.Count); // round 2 of each prompt: its chosen response
        Assert.All(last, e => Assert.Equal(chosenEnding, e.CompletionIds.TakeLast(chosenEnding.Count)));
        Assert.Equal(Prompts + Helpful, helpful.Count); // ratio 1 asks for 20 helpful rows; there are 6
        Assert.Throws<ArgumentException>(() =>
            SftExamples.Load(dataset, _world.Tokenizer, new SftOptions { RevisionRounds = "first" }, seed: 5));
    }

    [Fact]
    public async Task TrainingLowersTheLossAndWritesALoadableCheckpoint()
    {
        var request = _world.Request("sft") with { Datasets = [_world.Sub("preferences.jsonl"), WriteDataset()] };
        var context = new RecordingTrainingContext(_world.Sub("resume"));

        var result = await Trainer(Options).TrainAsync(request, context);

        // 40 revisions and 6 helpful rows; 11 held out; 35 in batches of 8: 5 steps × 3 epochs.
        Assert.Equal(46, result.Metrics["examples"]);
        Assert.Equal(15, result.Metrics["steps"]);
        var losses = context.Rows.Where(r => r.Row.ContainsKey("loss")).Select(r => r.Row["loss"]).ToList();
        Assert.Equal(15, losses.Count);
        Assert.True(losses[^1] < losses[0] - 1, $"loss {losses[0]} at the first step, {losses[^1]} at the last");
        Assert.True(double.IsFinite(result.Metrics["eval_loss"]));
        using var model = CausalLanguageModelLoader.Load(result.CheckpointDirectory);
        Assert.Equal(_world.Tokenizer.Encode("thanks"), TextTokenizer.Load(result.CheckpointDirectory).Encode("thanks"));
    }

    [Fact]
    public async Task WithoutAnSftDatasetSftSaysWhatIsMissing()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Trainer(Options).TrainAsync(_world.Request("sft"), new RecordingTrainingContext(_world.Sub("resume"))));
        Assert.Contains("sft.jsonl", error.Message);
    }

    public void Dispose() => _world.Dispose();
}
