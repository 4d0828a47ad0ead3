using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using Cai.Plugins.Training.Ppo;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Ppo;

public sealed class PpoBuildingBlocksTests : IDisposable
{
    private readonly PpoTestWorld _world = new();

    [Fact]
    public void Sequences_are_right_padded_and_actions_mark_the_response_tokens()
    {
        using var scope = NewDisposeScope();
        var batch = SequenceBatch.Pad([[5, 6, 7], [5]], [[8, 9], [10]], padId: 0, CPU);

        Assert.Equal(new long[] { 5, 6, 7, 8, 9, 5, 10, 0, 0, 0 }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, batch.AttentionMask.data<long>().ToArray());
        // Action t predicts token t + 1.
        Assert.Equal(new float[] { 0, 0, 1, 1, 1, 0, 0, 0 }, batch.ActionMask.data<float>().ToArray());
    }

    [Fact]
    public void Policy_log_probs_match_the_library_scorer_and_values_come_from_the_head()
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
    public async Task Without_a_reward_function_or_reward_model_ppo_says_what_is_missing()
    {
        var trainer = PpoTestWorld.Trainer(new PpoOptions(), reward: null);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            trainer.TrainAsync(_world.Request("out"), new RecordingTrainingContext(_world.Sub("resume"))));
        Assert.Contains("reward model", error.Message);
    }

    [Fact]
    public async Task Ppo_scores_rollouts_with_the_reward_model_of_the_request()
    {
        using (var policy = CausalLanguageModelLoader.Load(_world.Sub("base")))
        {
            manual_seed(3);
            using var rewardModel = RewardModel.FromPolicy(policy);
            RewardModelCheckpoint.Save(rewardModel, _world.Sub("reward"), _world.Tokenizer);
        }
        var context = new RecordingTrainingContext(_world.Sub("resume"));
        var request = _world.Request("out") with { RewardCheckpoint = _world.Sub("reward") };

        var result = await PpoTestWorld.Trainer(new PpoOptions { Steps = 2, RolloutBatchSize = 4, MiniBatchSize = 2, MaxNewTokens = 6 }, reward: null)
            .TrainAsync(request, context);

        Assert.Equal(2, context.Rows.Count);
        Assert.All(context.Rows, r => Assert.True(double.IsFinite(r.Row["objective/scores"]) && r.Row["objective/scores"] != 0));
        Assert.True(File.Exists(Path.Combine(result.CheckpointDirectory, "model.safetensors")));
    }

    [Fact]
    public void Prompt_batches_depend_only_on_seed_and_iteration()
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
