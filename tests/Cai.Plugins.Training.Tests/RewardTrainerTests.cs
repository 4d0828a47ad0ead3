using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Plugins.Training.Objectives;
using Cai.Plugins.Training.Preferences;
using Cai.Plugins.Training.Reward;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests;

public sealed class RewardTrainerTests : IDisposable
{
    private readonly PreferenceTestWorld _world = new();

    private static RewardOptions Options => new()
    {
        Epochs = 6,
        LearningRate = 2e-3,
        BatchSize = 8,
        EvalFraction = 0.25,
        EvalSteps = 10,
        LoggingSteps = 2,
        SaveSteps = 0,
        WarmupRatio = 0.1,
    };

    private RewardTrainer Trainer(RewardOptions options) => new(PreferenceTestWorld.PluginContext("reward"), options);

    /// <summary>Held-out Bradley–Terry loss and accuracy of a reward model, as the trainer splits the data (seed 5).</summary>
    private (double Loss, double Accuracy) HeldOut(RewardModel model, RewardOptions options)
    {
        var pairs = PreferenceDataset.Load(_world.Sub("preferences.jsonl"), _world.Tokenizer, options.MaxLength);
        var (_, eval) = PreferenceDataset.Split(pairs, options.EvalFraction, seed: 5);
        int pad = _world.Tokenizer.EosTokenId!.Value;
        using var scope = NewDisposeScope();
        var chosen = tensor(model.Score(eval.Select(p => p.Chosen).ToList(), pad));
        var rejected = tensor(model.Score(eval.Select(p => p.Rejected).ToList(), pad));
        var p = tensor(eval.Select(e => e.ProbabilityChosen).ToArray());
        return (BradleyTerryLoss.Compute(chosen, rejected, p).item<double>(), BradleyTerryLoss.Accuracy(chosen, rejected, p));
    }

    [Fact]
    public async Task TrainingSeparatesHeldOutComparisonsAndWritesALoadableRewardModel()
    {
        var context = new RecordingTrainingContext(_world.Sub("resume"));
        (double Loss, double Accuracy) before;
        using (var policy = CausalLanguageModelLoader.Load(_world.Sub("base")))
        using (var initial = RewardModel.FromPolicy(policy, seed: 5)) before = HeldOut(initial, Options); // the trainer's initialisation

        var result = await Trainer(Options).TrainAsync(_world.Request("rm"), context);

        using var trained = RewardModelCheckpoint.Load(result.CheckpointDirectory);
        var after = HeldOut(trained, Options);
        Assert.True(after.Accuracy >= 0.9, $"held-out accuracy {before.Accuracy} → {after.Accuracy}, loss {before.Loss} → {after.Loss}");
        Assert.True(after.Loss < before.Loss - 0.3, $"held-out loss {before.Loss} before, {after.Loss} after");
        Assert.Equal(after.Accuracy, result.Metrics["eval_accuracy"], 6);
        Assert.Equal(after.Loss, result.Metrics["eval_loss"], 4);
        Assert.Equal(24, result.Metrics["steps"]); // 30 training pairs in batches of 8: 4 steps × 6 epochs
        var trainRows = context.Rows.Where(r => r.Row.ContainsKey("loss")).ToList();
        var evalRows = context.Rows.Where(r => r.Row.ContainsKey("eval_loss")).ToList();
        Assert.All(trainRows, r => Assert.True(r.Row.ContainsKey("accuracy") && r.Row.ContainsKey("margin")));
        Assert.Equal([10L, 20L, 24L], evalRows.Select(r => r.Step));
        Assert.All(evalRows, r => Assert.True(double.IsFinite(r.Row["eval_accuracy"])));
        Assert.True(trainRows[^1].Row["loss"] < trainRows[0].Row["loss"]);
    }

    [Fact]
    public async Task Bf16SeparatesHeldOutComparisonsAndSavesFloat32()
    {
        var options = Options with { Precision = "bf16" };
        var result = await Trainer(options).TrainAsync(_world.Request("rm-bf16"), new RecordingTrainingContext(_world.Sub("resume-bf16")));

        Assert.Equal("float32", ModelConfig.Load(result.CheckpointDirectory).TorchDtype); // the masters, not the bf16 copy
        using var trained = RewardModelCheckpoint.Load(result.CheckpointDirectory);
        var after = HeldOut(trained, options);
        Assert.True(after.Accuracy >= 0.9, $"held-out accuracy {after.Accuracy}, loss {after.Loss}");
    }

    [Fact]
    public async Task AnInterruptedRunResumesFromItsLastSaveAndEndsAsAnUninterruptedOne()
    {
        var options = Options with { Epochs = 2, SaveSteps = 2, LoggingSteps = 1 };
        var whole = new RecordingTrainingContext(_world.Sub("whole-resume"));
        await Trainer(options).TrainAsync(_world.Request("whole"), whole);
        var crashing = new RecordingTrainingContext(_world.Sub("resume"))
        {
            OnProgress = p => { if (p.Step == 5) throw new IOException("simulated crash"); },
        };
        await Assert.ThrowsAsync<IOException>(() => Trainer(options).TrainAsync(_world.Request("rm"), crashing));
        Assert.False(Directory.Exists(_world.Sub("rm")));
        Assert.Equal("step-4", File.ReadAllText(Path.Combine(_world.Sub("resume"), "latest")));

        var resumed = new RecordingTrainingContext(_world.Sub("resume"));
        var result = await Trainer(options).TrainAsync(_world.Request("rm"), resumed);
        Assert.Equal(4, resumed.ResumedAt);

        var resumedLosses = resumed.Rows.Where(r => r.Row.ContainsKey("loss")).ToList();
        Assert.Equal([5L, 6L, 7L, 8L], resumedLosses.Select(r => r.Step));
        var wholeLosses = whole.Rows.Where(r => r.Row.ContainsKey("loss")).Skip(4).ToList();
        for (int i = 0; i < 4; i++) Assert.Equal(wholeLosses[i].Row["loss"], resumedLosses[i].Row["loss"], 5);
        Assert.Equal(8, result.Metrics["steps"]);
        Assert.Equal(whole.Rows[^1].Row["eval_accuracy"], result.Metrics["eval_accuracy"], 6);
        using var model = RewardModelCheckpoint.Load(result.CheckpointDirectory);
        using var uninterrupted = RewardModelCheckpoint.Load(_world.Sub("whole"));
        Assert.Equal(HeldOut(uninterrupted, options).Loss, HeldOut(model, options).Loss, 5);
    }

    public void Dispose() => _world.Dispose();
}
