using Cai.Plugins.Training.Ppo;
using TorchSharp;

namespace Cai.Plugins.Training.Tests.Ppo;

public sealed class PpoTrainerTests : IDisposable
{
    private static readonly string[] LoggedNames =
    [
        "objective/scores", "objective/kl", "objective/rlhf_reward", "objective/entropy", "policy/approxkl", "policy/clipfrac",
        "loss/policy", "loss/value", "val/clipfrac", "response_length", "kl_coef",
    ];

    private readonly PpoTestWorld _world = new();

    private static PpoOptions Options => new()
    {
        Steps = 8, RolloutBatchSize = 32, MiniBatchSize = 8, PpoEpochs = 2, LearningRate = 1e-2, MaxNewTokens = 12,
        KlCoef = 0.05, EarlyStopKl = 0, SaveSteps = 0,
    };

    [Fact]
    public async Task Ppo_raises_the_fake_reward_and_moves_away_from_the_reference()
    {
        var liveTensors = new List<long>();
        var context = new RecordingTrainingContext(_world.Sub("resume")) { OnProgress = _ => liveTensors.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount) };
        double before = _world.FirstTokenLetterMass(_world.Sub("base"), 'e');

        var result = await PpoTestWorld.Trainer(Options, new LetterReward('e')).TrainAsync(_world.Request("out"), context);

        // The output checkpoint loads (in FirstTokenLetterMass) and puts far more mass on rewarded tokens.
        double after = _world.FirstTokenLetterMass(result.CheckpointDirectory, 'e');
        Assert.True(after > 3 * before, $"P(first response token has 'e'): {before} before, {after} after");
        var rows = context.Rows.Select(r => r.Row).ToList();
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), context.Rows.Select(r => r.Step));
        Assert.All(rows, row => Assert.All(LoggedNames, name => Assert.True(double.IsFinite(row[name]), name)));
        Assert.Equal(8, context.Reports.Count);
        Assert.Equal(0.0, rows[0]["objective/kl"], 6); // policy == reference at the first rollout
        Assert.True(rows[^1]["objective/kl"] > 1, $"final KL {rows[^1]["objective/kl"]}");
        Assert.True(rows.Skip(4).Average(r => r["objective/scores"]) > 2 * rows.Take(4).Average(r => r["objective/scores"]));
        Assert.All(rows, row => Assert.Equal(8, row["ppo/updates"])); // 2 epochs × 32 / 8
        Assert.False(File.Exists(Path.Combine(result.CheckpointDirectory, "value_head.safetensors")));
        Assert.All(liveTensors, count => Assert.Equal(liveTensors[0], count)); // no tensor outlives an iteration
    }

    [Fact]
    public async Task A_cancelled_run_saves_where_it_stopped_and_a_new_run_finishes_it()
    {
        var options = Options with { Steps = 3, RolloutBatchSize = 16, SaveSteps = 0 };
        using var cancellation = new CancellationTokenSource();
        var cancelled = new RecordingTrainingContext(_world.Sub("resume"))
        {
            CancellationToken = cancellation.Token,
            OnProgress = p => { if (p.Step == 1) cancellation.Cancel(); },
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), cancelled));
        Assert.Equal("iteration-1", File.ReadAllText(Path.Combine(_world.Sub("resume"), "latest")));

        var resumed = new RecordingTrainingContext(_world.Sub("resume"));
        var result = await PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), resumed);

        Assert.Equal([2L, 3L], resumed.Rows.Select(r => r.Step));
        Assert.True(File.Exists(Path.Combine(result.CheckpointDirectory, "config.json")));
    }

    [Fact]
    public async Task An_interrupted_run_resumes_from_its_last_save_and_ends_as_an_uninterrupted_one()
    {
        var options = Options with { Steps = 4, RolloutBatchSize = 16, SaveSteps = 2, AdaptiveKl = true, TargetKl = 0.5, KlHorizon = 64 };
        var whole = new RecordingTrainingContext(_world.Sub("whole-resume"));
        await PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("whole"), whole);

        var crashing = new RecordingTrainingContext(_world.Sub("resume"))
        {
            OnProgress = p => { if (p.Step == 3) throw new IOException("simulated crash"); },
        };
        await Assert.ThrowsAsync<IOException>(() => PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), crashing));
        Assert.False(Directory.Exists(_world.Sub("out")));
        Assert.Equal("iteration-2", File.ReadAllText(Path.Combine(_world.Sub("resume"), "latest")));

        var resumed = new RecordingTrainingContext(_world.Sub("resume"));
        var result = await PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), resumed);

        Assert.Equal([3L, 4L], resumed.Rows.Select(r => r.Step));
        for (int i = 0; i < 2; i++)
            foreach (string name in LoggedNames)
                Assert.Equal(whole.Rows[i + 2].Row[name], resumed.Rows[i].Row[name], 5);
        Assert.NotEqual(options.KlCoef, resumed.Rows[0].Row["kl_coef"]); // the adaptive coefficient came back from the save
        Assert.Equal(_world.FirstTokenLetterMass(_world.Sub("whole"), 'e'), _world.FirstTokenLetterMass(result.CheckpointDirectory, 'e'), 5);
    }

    [Fact]
    public async Task Epochs_stop_early_once_the_approximate_kl_passes_early_stop_kl()
    {
        var options = Options with { Steps = 2, RolloutBatchSize = 16, EarlyStopKl = 1e-7 };
        var context = new RecordingTrainingContext(_world.Sub("resume"));

        await PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), context);

        // The first minibatch sees the rollout policy itself (approx KL 0) and updates; the next one is past 1e-7.
        Assert.All(context.Rows, r => Assert.Equal(1, r.Row["ppo/early_stopped"]));
        Assert.All(context.Rows, r => Assert.Equal(1, r.Row["ppo/updates"]));
        Assert.Equal(0.0, context.Rows[0].Row["policy/approxkl"], 6);
    }

    [Fact]
    public async Task The_adaptive_controller_moves_kl_coef_toward_the_target()
    {
        var options = Options with { Steps = 3, RolloutBatchSize = 16, AdaptiveKl = true, TargetKl = 0.01, KlHorizon = 16 };
        var context = new RecordingTrainingContext(_world.Sub("resume"));

        await PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), context);

        var rows = context.Rows.Select(r => r.Row).ToList();
        Assert.Equal(0.05, rows[0]["kl_coef"], 12);
        // KL 0 at the first rollout: error clipped to −0.2, times 16 samples / horizon 16.
        Assert.Equal(0.05 * 0.8, rows[1]["kl_coef"], 12);
        Assert.True(rows[1]["objective/kl"] > 0.012, $"KL {rows[1]["objective/kl"]}");
        Assert.Equal(0.05 * 0.8 * 1.2, rows[2]["kl_coef"], 12);
    }

    public void Dispose() => _world.Dispose();
}
