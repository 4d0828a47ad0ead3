using Cai.Models.Checkpoints;
using Cai.Plugins.Training.Ppo;

namespace Cai.Plugins.Training.Tests.Ppo;

public sealed class PpoTrainerTests : IDisposable
{
    private readonly PpoTestWorld _world = new();

    private static PpoOptions Options => new()
    {
        Steps = 6, RolloutBatchSize = 16, MiniBatchSize = 8, PpoEpochs = 2, LearningRate = 3e-3, MaxNewTokens = 12,
        KlCoef = 0.05, EarlyStopKl = 0, SaveSteps = 0,
    };

    [Fact]
    public async Task Ppo_raises_the_fake_reward_and_moves_away_from_the_reference()
    {
        var reward = new LetterReward('e');
        var context = new RecordingTrainingContext(_world.Sub("resume"));
        double before = _world.FirstTokenLetterMass(_world.Sub("base"), 'e');

        var result = await PpoTestWorld.Trainer(Options, reward).TrainAsync(_world.Request("out"), context);

        double after = _world.FirstTokenLetterMass(result.CheckpointDirectory, 'e');
        var rows = context.Rows.Select(r => r.Row).ToList();
        foreach (var row in rows) Console.WriteLine(string.Join(" ", row.Select(kv => $"{kv.Key}={kv.Value:G4}")));
        Console.WriteLine($"mass before {before} after {after}");
        Assert.True(after > 2 * before, $"P(first token has 'e'): {before} before, {after} after");
        Assert.Equal(0.0, rows[0]["objective/kl"], 6);
        Assert.True(rows[^1]["objective/kl"] > 0.01, $"final KL {rows[^1]["objective/kl"]}");
        Assert.True(rows.Skip(3).Average(r => r["objective/scores"]) > rows.Take(3).Average(r => r["objective/scores"]));
    }

    public void Dispose() => _world.Dispose();
}
