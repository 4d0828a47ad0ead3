using System.Text.Json.Nodes;
using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Plugins.Training.Dpo;
using Cai.Plugins.Training.Ppo;
using Cai.Plugins.Training.Reward;
using Cai.Plugins.Training.Sft;
using Cai.Plugins.Training.Tests;
using Cai.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Gpu.Tests;

/// <summary>
/// The first steps of each trainer on CUDA against the CPU, in fp32, from the same checkpoint, data and seeds: the
/// logged losses agree within a relative 1e-3.
/// </summary>
[Trait("Category", Requirements.Cuda)]
public sealed class CudaTrainerTests : IDisposable
{
    const double RelativeTolerance = 1e-3;
    readonly PreferenceTestWorld _world = new();

    public void Dispose() => _world.Dispose();

    static void AssertClose(double cpu, double cuda, string what) =>
        Assert.True(Math.Abs(cpu - cuda) <= RelativeTolerance * Math.Abs(cpu) + 1e-6, $"{what}: cpu {cpu}, cuda {cuda}");

    /// <summary>Runs <paramref name="trainer"/> on each device and compares the loss of every logged step.</summary>
    async Task AssertSameLosses(ITrainer trainer, string name, TrainingRequest request)
    {
        var losses = new Dictionary<string, List<double>>();
        foreach (string device in new[] { "cpu", "cuda" })
        {
            var context = new RecordingTrainingContext(_world.Sub($"{name}-{device}-resume"));
            await trainer.TrainAsync(request with { OutputCheckpoint = _world.Sub($"{name}-{device}"), Device = device }, context);
            losses[device] = context.Rows.Where(r => r.Row.ContainsKey("loss")).Select(r => r.Row["loss"]).ToList();
        }
        Assert.Equal(2, losses["cpu"].Count);
        Assert.Equal(losses["cpu"].Count, losses["cuda"].Count);
        for (int i = 0; i < losses["cpu"].Count; i++) AssertClose(losses["cpu"][i], losses["cuda"][i], $"{name} loss at step {i + 1}");
    }

    [Fact]
    public async Task SftStepsOnCudaGiveTheCpusLoss()
    {
        Requirements.RequireCuda();
        // SL-CAI rows (TRL prompt/completion): the preference world's prompts with their chosen responses as revisions.
        var rows = File.ReadLines(_world.Sub("preferences.jsonl")).Select((l, i) => JsonNode.Parse(l)!.AsObject()).Select((p, i) => new JsonObject
        {
            ["id"] = $"red_team/{i}#r1", ["round"] = 1, ["source"] = "revision", ["prompt"] = (string)p["prompt"]!, ["completion"] = (string)p["chosen"]!,
        });
        File.WriteAllLines(_world.Sub("sft.jsonl"), rows.Select(r => r.ToJsonString()));
        var options = new SftOptions { MaxSteps = 2, LearningRate = 1e-2, BatchSize = 8, EvalFraction = 0, WarmupRatio = 0, SaveSteps = 0, LoggingSteps = 1 };
        await AssertSameLosses(new SftTrainer(PreferenceTestWorld.PluginContext("sft"), options), "sft",
            _world.Request("sft") with { Datasets = [_world.Sub("sft.jsonl")] });
    }

    [Fact]
    public async Task RewardModelStepsOnCudaGiveTheCpusLoss()
    {
        Requirements.RequireCuda();
        var options = new RewardOptions { MaxSteps = 2, LearningRate = 1e-2, BatchSize = 8, EvalFraction = 0, WarmupRatio = 0, SaveSteps = 0, LoggingSteps = 1 };
        await AssertSameLosses(new RewardTrainer(PreferenceTestWorld.PluginContext("reward"), options), "reward", _world.Request("reward"));
    }

    [Fact]
    public async Task DpoStepsOnCudaGiveTheCpusLoss()
    {
        Requirements.RequireCuda();
        // The first loss is ln 2 on both (policy = reference); the second follows one AdamW step on each device.
        var options = new DpoOptions { MaxSteps = 2, LearningRate = 1e-2, BatchSize = 8, EvalFraction = 0, WarmupRatio = 0, SaveSteps = 0, LoggingSteps = 1 };
        await AssertSameLosses(new DpoTrainer(PreferenceTestWorld.PluginContext("dpo"), options), "dpo", _world.Request("dpo"));
    }

    /// <summary>
    /// One PPO update on a fixed rollout (the same prompts, responses and scores on both devices, so no sampling is
    /// involved): policy and value losses, entropy and approximate KL agree.
    /// </summary>
    [Fact]
    public void PpoUpdateOnAFixedRolloutOnCudaGivesTheCpusLosses()
    {
        Requirements.RequireCuda();
        using var ppo = new PpoTestWorld();
        var options = new PpoOptions { MiniBatchSize = 4, PpoEpochs = 2, LearningRate = 1e-2, EarlyStopKl = 0, WhitenRewards = true };
        var answer = ppo.Tokenizer.Encode(" here is the answer, see the rest.", addSpecialTokens: false);
        var prompts = ppo.Prompts.Select(p => (IReadOnlyList<int>)ppo.Tokenizer.Encode(p)).ToList();
        var responses = prompts.Select((_, i) => (IReadOnlyList<int>)answer.Take(3 + i % 5).ToList()).ToList();
        float[] scores = [.. prompts.Select((_, i) => i * 0.25f - 1f)];

        PpoUpdateStatistics Update(Device device)
        {
            using var scope = NewDisposeScope();
            // Built on the CPU (the value head drawn from its seed there), then moved: the same weights on both devices.
            using var model = new PolicyWithValueHead(CausalLanguageModelLoader.Load(ppo.Sub("base")), seed: 5);
            model.to(device);
            var sequences = SequenceBatch.Pad(prompts, responses, ppo.Tokenizer.EosTokenId!.Value, device);
            TokenOutputs outputs;
            using (no_grad()) outputs = model.Forward(sequences.InputIds, sequences.AttentionMask, options.Temperature);
            var rollout = new Rollout(sequences, outputs.Logprobs, outputs.Logprobs, outputs.Values!, tensor(scores, device: device), 0, 0, []);
            var (experience, _) = PpoAdvantages.Compute(rollout, options.KlCoef, options);
            return new PpoUpdater(model, options).Update(experience, shuffleSeed: 3);
        }

        var cpu = Update(CPU);
        var cuda = Update(CUDA);
        Assert.Equal(4, cpu.Updates); // 2 epochs of 2 minibatches: the later ones see moved weights
        Assert.Equal(cpu.Updates, cuda.Updates);
        AssertClose(cpu.PolicyLoss, cuda.PolicyLoss, "policy loss");
        AssertClose(cpu.ValueLoss, cuda.ValueLoss, "value loss");
        AssertClose(cpu.Entropy, cuda.Entropy, "entropy");
        AssertClose(cpu.ApproxKl, cuda.ApproxKl, "approximate KL");
    }
}
