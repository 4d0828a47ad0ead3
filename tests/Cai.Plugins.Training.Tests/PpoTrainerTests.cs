using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using Cai.Plugins.Training.Ppo;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests;

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
        Steps = 8,
        RolloutBatchSize = 32,
        MiniBatchSize = 8,
        PpoEpochs = 2,
        LearningRate = 1e-2,
        MaxNewTokens = 12,
        KlCoef = 0.05,
        EarlyStopKl = 0,
        SaveSteps = 0,
    };

    [Fact]
    public async Task PpoRaisesTheFakeRewardAndMovesAwayFromTheReference()
    {
        var liveTensors = new List<long>();
        var context = new RecordingTrainingContext(_world.Sub("resume"))
        {
            OnProgress = _ => liveTensors.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount),
        };
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
    public async Task ACancelledRunSavesWhereItStoppedAndANewRunFinishesIt()
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
        Assert.Equal("step-1", File.ReadAllText(Path.Combine(_world.Sub("resume"), "latest")));

        var resumed = new RecordingTrainingContext(_world.Sub("resume"));
        var result = await PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), resumed);

        Assert.Equal(1, resumed.ResumedAt);
        Assert.Equal([2L, 3L], resumed.Rows.Select(r => r.Step));
        Assert.True(File.Exists(Path.Combine(result.CheckpointDirectory, "config.json")));
    }

    [Fact]
    public async Task AnInterruptedRunResumesFromItsLastSaveAndEndsAsAnUninterruptedOne()
    {
        var options = Options with { Steps = 4, RolloutBatchSize = 16, SaveSteps = 2, AdaptiveKl = true, TargetKl = 0.5, KlHorizon = 64 };
        var whole = new RecordingTrainingContext(_world.Sub("whole-resume"));
        await PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("whole"), whole);

        var crashing = new RecordingTrainingContext(_world.Sub("resume"))
        {
            OnProgress = p => { if (p.Step == 3) throw new IOException("simulated crash"); },
        };
        await Assert.ThrowsAsync<IOException>(() =>
            PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), crashing));
        Assert.False(Directory.Exists(_world.Sub("out")));
        Assert.Equal("step-2", File.ReadAllText(Path.Combine(_world.Sub("resume"), "latest")));

        var resumed = new RecordingTrainingContext(_world.Sub("resume"));
        var result = await PpoTestWorld.Trainer(options, new LetterReward('e')).TrainAsync(_world.Request("out"), resumed);

        Assert.Equal(2, resumed.ResumedAt); // the trainer tells the host where it resumes
        Assert.Equal([3L, 4L], resumed.Rows.Select(r => r.Step));
        for (int i = 0; i < 2; i++)
            foreach (string name in LoggedNames)
                Assert.Equal(whole.Rows[i + 2].Row[name], resumed.Rows[i].Row[name], 5);
        Assert.NotEqual(options.KlCoef, resumed.Rows[0].Row["kl_coef"]); // the adaptive coefficient came back from the save
        Assert.Equal(_world.FirstTokenLetterMass(_world.Sub("whole"), 'e'),
            _world.FirstTokenLetterMass(result.CheckpointDirectory, 'e'), 5);
    }

    [Fact]
    public async Task EpochsStopEarlyOnceTheApproximateKlPassesEarlyStopKl()
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
    public async Task TheAdaptiveControllerMovesKlCoefTowardTheTarget()
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

    [Fact]
    public void SequencesAreRightPaddedAndActionsMarkTheResponseTokens()
    {
        using var scope = NewDisposeScope();
        var batch = SequenceBatch.Pad([[5, 6, 7], [5]], [[8, 9], [10]], padId: 0, CPU);

        Assert.Equal(new long[] { 5, 6, 7, 8, 9, 5, 10, 0, 0, 0 }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, batch.AttentionMask.data<long>().ToArray());
        // Action t predicts token t + 1.
        Assert.Equal(new float[] { 0, 0, 1, 1, 1, 0, 0, 0 }, batch.ActionMask.data<float>().ToArray());
    }

    [Fact]
    public void PolicyLogProbsMatchTheLibraryScorerAndValuesComeFromTheHead()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = new PolicyWithValueHead(CausalLanguageModelLoader.Load(_world.Sub("base")), seed: 1);
        var prompt = _world.Tokenizer.Encode(_world.Prompts[0]);
        var batch = SequenceBatch.Pad([prompt, prompt.Take(4).ToList()], [[40, 41, 42], [43]], padId: 0, CPU);

        var outputs = model.Forward(batch.InputIds, batch.AttentionMask, temperature: 1.0);

        var continuation = cat([zeros(batch.ActionMask.shape[0], 1), batch.ActionMask], 1);
        var expected = LogProbs.OfContinuations(model.Policy, batch.InputIds, batch.AttentionMask, continuation);
        Assert.True((outputs.Logprobs * batch.ActionMask).allclose(expected, rtol: 1e-4, atol: 1e-5));
        Assert.Equal(batch.ActionMask.shape, outputs.Values!.shape);
        var hidden = model.Policy.forward(new Cai.Models.Modeling.CausalLMInput(batch.InputIds, batch.AttentionMask)).LastHiddenState;
        var expectedValue = model.ValueHead.forward(hidden[0, 2]).item<float>();
        Assert.Equal(expectedValue, outputs.Values[0, 2].item<float>(), 5);
    }

    [Fact]
    public async Task WithoutARewardFunctionOrRewardModelPpoSaysWhatIsMissing()
    {
        var trainer = PpoTestWorld.Trainer(new PpoOptions(), reward: null);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            trainer.TrainAsync(_world.Request("out"), new RecordingTrainingContext(_world.Sub("resume"))));
        Assert.Contains("reward model", error.Message);
    }

    [Fact]
    public async Task PpoScoresRolloutsWithTheRewardModelOfTheRequest()
    {
        using (var policy = CausalLanguageModelLoader.Load(_world.Sub("base")))
        {
            manual_seed(3);
            using var rewardModel = RewardModel.FromPolicy(policy);
            RewardModelCheckpoint.Save(rewardModel, _world.Sub("reward"), _world.Tokenizer);
        }
        var context = new RecordingTrainingContext(_world.Sub("resume"));
        var request = _world.Request("out") with { RewardCheckpoint = _world.Sub("reward") };
        var options = new PpoOptions { Steps = 2, RolloutBatchSize = 4, MiniBatchSize = 2, MaxNewTokens = 6 };

        var result = await PpoTestWorld.Trainer(options, reward: null).TrainAsync(request, context);

        Assert.Equal(2, context.Rows.Count);
        Assert.All(context.Rows, r => Assert.True(double.IsFinite(r.Row["objective/scores"]) && r.Row["objective/scores"] != 0));
        Assert.True(File.Exists(Path.Combine(result.CheckpointDirectory, "model.safetensors")));
    }

    [Fact]
    public void PromptBatchesDependOnlyOnSeedAndIteration()
    {
        var pool = PromptPool.Load(_world.Sub("prompts.jsonl"), _world.Tokenizer, maxPositions: 96, maxNewTokens: 12);
        var first = pool.Batch(5, 3, 6).Select(p => p.Text).ToList();
        Assert.Equal(first, pool.Batch(5, 3, 6).Select(p => p.Text));
        Assert.Equal(6, first.Distinct().Count());
        Assert.NotEqual(first, pool.Batch(5, 4, 6).Select(p => p.Text));
        Assert.Equal(20, pool.Batch(5, 0, 20).Count); // repeats only when the pool (8) is smaller
    }

    public void Dispose() => _world.Dispose();
}

/// <summary>A fake reward model: the number of times a letter occurs in the response.</summary>
internal sealed class LetterReward(char letter) : IRewardFunction
{
    public int Calls { get; private set; }

    public IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Response)> samples)
    {
        Calls++;
        return samples.Select(s => (double)s.Response.Count(c => c == letter)).ToList();
    }
}
