using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Plugins.Training.Dpo;
using Cai.Plugins.Training.Preferences;

namespace Cai.Plugins.Training.Tests;

public sealed class DpoTrainerTests : IDisposable
{
    private readonly List<PreferenceTestWorld> _worlds = [];

    private static DpoOptions Options => new()
    {
        Epochs = 3,
        LearningRate = 3e-3,
        BatchSize = 8,
        EvalFraction = 0.25,
        EvalSteps = 0,
        LoggingSteps = 1,
        SaveSteps = 0,
        WarmupRatio = 0,
    };

    private PreferenceTestWorld World(double[]? labels = null)
    {
        var world = new PreferenceTestWorld(labels: labels);
        _worlds.Add(world);
        return world;
    }

    private static DpoTrainer Trainer(DpoOptions options) => new(PreferenceTestWorld.PluginContext("dpo"), options);

    /// <summary>Mean of log π(chosen) − log π(rejected) over the held-out pairs, as the trainer splits them (seed 5).</summary>
    private static double HeldOutMargin(PreferenceTestWorld world, string checkpoint)
    {
        var pairs = PreferenceDataset.Load(world.Sub("preferences.jsonl"), world.Tokenizer, 384);
        var (_, eval) = PreferenceDataset.Split(pairs, Options.EvalFraction, seed: 5);
        using var model = CausalLanguageModelLoader.Load(checkpoint);
        var scores = new ContinuationScorer(model, world.Tokenizer.EosTokenId!.Value).Score(
            [.. eval.SelectMany(p => new[] { p.Chosen, p.Rejected }).Select(e => new TokenScoringRequest(e.PromptIds, e.CompletionIds))]);
        return Enumerable.Range(0, eval.Count).Average(i => scores[2 * i].LogProb - scores[2 * i + 1].LogProb);
    }

    [Fact]
    public async Task TheFirstLossIsLn2AndTrainingWidensTheHeldOutMargin()
    {
        var world = World();
        var context = new RecordingTrainingContext(world.Sub("resume"));

        var result = await Trainer(Options).TrainAsync(world.Request("dpo"), context);

        var first = context.Rows[0].Row;
        Assert.Equal(Math.Log(2), first["loss"], 4); // policy == reference: every pair's logit is 0
        Assert.Equal(0, first["rewards/margins"], 4);
        Assert.Equal(0, first["rewards/chosen"], 4);
        double before = HeldOutMargin(world, world.Sub("base")), after = HeldOutMargin(world, result.CheckpointDirectory);
        Assert.True(after > before + 2, $"held-out log π(chosen) − log π(rejected): {before} before, {after} after");
        Assert.Equal(12, result.Metrics["steps"]); // 30 training pairs in batches of 8: 4 steps × 3 epochs
        Assert.True(result.Metrics["eval_rewards/margins"] > 0.2, $"eval margin {result.Metrics["eval_rewards/margins"]}");
        Assert.True(result.Metrics["eval_rewards/accuracies"] >= 0.9, $"eval accuracy {result.Metrics["eval_rewards/accuracies"]}");
        Assert.True(result.Metrics["eval_loss"] < Math.Log(2) - 0.1, $"eval loss {result.Metrics["eval_loss"]}");
        string[] logged = ["rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected"];
        Assert.All(logged, name =>
            Assert.All(context.Rows.Where(r => r.Row.ContainsKey("loss")), r => Assert.True(double.IsFinite(r.Row[name]), name)));
        Assert.Equal(world.Tokenizer.Encode("thanks"), TextTokenizer.Load(result.CheckpointDirectory).Encode("thanks"));
    }

    [Fact]
    public async Task SoftLabelsOfOneHalfGiveNoGradientWhereLabelSmoothingZeroDoes()
    {
        var world = World(labels: [0.5]);
        var options = Options with { MaxSteps = 1 };

        var soft = new RecordingTrainingContext(world.Sub("soft"));
        await Trainer(options with { SoftLabels = true }).TrainAsync(world.Request("soft-out"), soft);
        var hard = new RecordingTrainingContext(world.Sub("hard"));
        await Trainer(options with { SoftLabels = false, LabelSmoothing = 0 }).TrainAsync(world.Request("hard-out"), hard);

        // At policy == reference the DPO gradient is (σ(0) − p)·β·∇h: zero for p = 0.5, not for p = 1.
        double softNorm = soft.Rows[0].Row["grad_norm"], hardNorm = hard.Rows[0].Row["grad_norm"];
        Assert.True(softNorm < 1e-4 && hardNorm > 1e-2, $"grad norm {softNorm} with soft labels 0.5, {hardNorm} with hard labels");
        Assert.Equal(Math.Log(2), soft.Rows[0].Row["loss"], 4);
        Assert.Equal(Math.Log(2), hard.Rows[0].Row["loss"], 4);
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("bf16")] // the saves hold the float32 masters, so bf16 resumes exactly too
    public async Task AnInterruptedRunResumesFromItsLastSaveAndEndsAsAnUninterruptedOne(string precision)
    {
        var world = World();
        var options = Options with { Epochs = 2, SaveSteps = 2, Precision = precision };
        var whole = new RecordingTrainingContext(world.Sub("whole-resume"));
        await Trainer(options).TrainAsync(world.Request("whole"), whole);
        var crashing = new RecordingTrainingContext(world.Sub("resume"))
        {
            OnProgress = p => { if (p.Step == 5) throw new IOException("simulated crash"); },
        };
        await Assert.ThrowsAsync<IOException>(() => Trainer(options).TrainAsync(world.Request("dpo"), crashing));
        Assert.Equal("step-4", File.ReadAllText(Path.Combine(world.Sub("resume"), "latest")));

        var resumed = new RecordingTrainingContext(world.Sub("resume"));
        var result = await Trainer(options).TrainAsync(world.Request("dpo"), resumed);

        var resumedLosses = resumed.Rows.Where(r => r.Row.ContainsKey("loss")).ToList();
        Assert.Equal([5L, 6L, 7L, 8L], resumedLosses.Select(r => r.Step));
        var wholeLosses = whole.Rows.Where(r => r.Row.ContainsKey("loss")).Skip(4).ToList();
        for (int i = 0; i < 4; i++) Assert.Equal(wholeLosses[i].Row["loss"], resumedLosses[i].Row["loss"], 5);
        Assert.Equal(HeldOutMargin(world, world.Sub("whole")), HeldOutMargin(world, result.CheckpointDirectory), 4);
    }

    [Fact]
    public async Task Bf16TrainsFromALossNearLn2AndSavesFloat32()
    {
        var world = World();
        var context = new RecordingTrainingContext(world.Sub("resume"));

        var result = await Trainer(Options with { MaxSteps = 4, Precision = "bf16" }).TrainAsync(world.Request("dpo"), context);

        // The reference scores in float32, the policy in bfloat16: the first logits differ by rounding only.
        Assert.Equal(Math.Log(2), context.Rows[0].Row["loss"], 1);
        Assert.True(context.Rows.Where(r => r.Row.ContainsKey("loss")).All(r => double.IsFinite(r.Row["loss"])));
        Assert.Equal("float32", ModelConfig.Load(result.CheckpointDirectory).TorchDtype);
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            Trainer(Options with { Precision = "fp16" }).TrainAsync(world.Request("bad"), context));
        Assert.Equal("precision must be fp32 or bf16, not 'fp16'.", e.Message);
    }

    public void Dispose()
    {
        foreach (var world in _worlds) world.Dispose();
    }
}
