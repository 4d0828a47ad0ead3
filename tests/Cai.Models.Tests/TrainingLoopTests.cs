using Cai.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class TrainingLoopTests
{
    // Sequences following n -> (3n + 1) mod 16, so the next token is learnable from the previous one.
    private static List<TokenizedExample> Examples(int count) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var ids = new List<int> { i % 16 };
            for (int t = 0; t < 5 + i % 3; t++) ids.Add((3 * ids[^1] + 1) % 16);
            return new TokenizedExample(ids[..2], ids[2..]);
        })];

    private static Func<int, IReadOnlyList<CausalLMBatch>> Epochs(List<TokenizedExample> examples, int batchSize, int seed) =>
        epoch => [.. BatchPlanner.Shuffled(examples.Count, batchSize, seed, epoch)
            .Select(indices => BatchCollator.Pad([.. indices.Select(i => examples[i])], padTokenId: 0, maxLength: 32))];

    [Fact]
    public void LossDecreasesOnAFixedBatch()
    {
        using var model = new TrainingTestModel();
        var batch = BatchCollator.Pad(Examples(8), padTokenId: 0, maxLength: 32);
        var logs = new List<TrainingMetrics>();
        var loop = CausalLMTrainingLoop.Create(model, new TrainingOptions { Epochs = 40, LearningRate = 3e-2, WarmupSteps = 2, LoggingSteps = 1 });
        loop.OnLog = logs.Add;

        var state = loop.Run(_ => [batch], evalBatches: [batch]);

        Assert.Equal(40, state.Step);
        var losses = logs.Where(m => m.Loss is not null).Select(m => m.Loss!.Value).ToList();
        Assert.Equal(40, losses.Count);
        Assert.True(losses[^1] < 0.3 * losses[0], $"loss {losses[0]:F3} -> {losses[^1]:F3}");
        Assert.All(logs.Where(m => m.Loss is not null), m => Assert.True(m.GradNorm > 0 && m.TokensPerSecond > 0));
        double evalLoss = logs.Single(m => m.EvalLoss is not null).EvalLoss!.Value;
        Assert.True(evalLoss < 0.3 * losses[0], $"eval loss {evalLoss:F3}");
    }

    [Fact]
    public void ResumeFromSavedStateMatchesAnUninterruptedRun()
    {
        var examples = Examples(6);
        // 3 micro-batches per epoch, 2 per step: the second step of each epoch is a partial accumulation group.
        var options = new TrainingOptions
        {
            Epochs = 4, LearningRate = 1e-2, WeightDecay = 0.1, WarmupSteps = 2, MaxGradNorm = 0.5,
            GradientAccumulationSteps = 2, SaveSteps = 3, LoggingSteps = 100, Seed = 5,
        };
        string directory = Path.Combine(Path.GetTempPath(), "cai-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var full = new TrainingTestModel(seed: 2);
            var fullLoop = CausalLMTrainingLoop.Create(full, options);
            int checkpoints = 0;
            fullLoop.OnCheckpoint = state =>
            {
                if (checkpoints++ > 0) return;
                state.Save(directory);
                full.save(Path.Combine(directory, "model.bin"));
            };
            var fullState = fullLoop.Run(Epochs(examples, 2, seed: 9));
            Assert.Equal(2, checkpoints);
            Assert.Equal(8, fullState.Step);

            using var resumed = new TrainingTestModel(seed: 3);
            resumed.load(Path.Combine(directory, "model.bin"));
            var saved = TrainingState.Load(directory);
            Assert.Equal((3, 1, 2), (saved.Step, saved.Epoch, saved.BatchInEpoch));
            var resumedState = CausalLMTrainingLoop.Create(resumed, options).Run(Epochs(examples, 2, seed: 9), resumeFrom: saved);

            Assert.Equal(fullState.Step, resumedState.Step);
            Assert.Equal(fullState.TokensSeen, resumedState.TokensSeen);
            var expected = full.Snapshot();
            var actual = resumed.Snapshot();
            Assert.Equal(expected.Keys, actual.Keys);
            foreach (var (name, values) in expected) Assert.Equal(values, actual[name]);
            // The run moved the weights, so the equality above is not trivial.
            using var initial = new TrainingTestModel(seed: 2);
            Assert.NotEqual(initial.Snapshot()["mlp.weight"], expected["mlp.weight"]);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void NaNLossStopsWithAClearError()
    {
        using var model = new TrainingTestModel();
        var batches = Epochs(Examples(8), 2, seed: 1)(0);
        var poisoned = batches[2];
        var loop = new TrainingLoop<CausalLMBatch>(model, new TrainingOptions { Epochs = 1 },
            batch => CausalLMTrainingLoop.Loss(model, batch, CPU) * (ReferenceEquals(batch, poisoned) ? float.NaN : 1f),
            batch => batch.LossTokenCount, batch => batch.TokenCount);

        var error = Assert.Throws<TrainingDivergedException>(() => loop.Run(_ => batches));

        Assert.Contains("loss is NaN at step 3", error.Message);
        Assert.Contains("micro-batch 2", error.Message);
    }

    [Fact]
    public void NonFiniteWeightsAfterTheLastStepStopWithoutReturning()
    {
        // The loss and gradient stay finite, but the update leaves an infinite weight (as a huge learning rate can):
        // the loop must not return (and the caller not save) that model.
        using var model = new TrainingTestModel();
        var batches = Epochs(Examples(4), 2, seed: 1)(0);
        var loop = CausalLMTrainingLoop.Create(model, new TrainingOptions { MaxSteps = 1 });
        loop.OnLog = _ =>
        {
            using var noGrad = no_grad();
            model.parameters().First().fill_(float.PositiveInfinity);
        };

        var error = Assert.Throws<TrainingDivergedException>(() => loop.Run(_ => batches));

        Assert.Contains("after step 1", error.Message);
    }

    [Fact]
    public void StepsLeaveNoLiveTensorsBehind()
    {
        using var model = new TrainingTestModel();
        var batches = Epochs(Examples(8), 2, seed: 1)(0);
        var loop = CausalLMTrainingLoop.Create(model, new TrainingOptions { Epochs = 1 });
        loop.Run(_ => batches);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        loop.Run(_ => batches, evalBatches: batches);

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
