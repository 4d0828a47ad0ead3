using System.Text.Json.Nodes;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Training;
using Snapshooter.Xunit3;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class RewardModelTests
{
    private static string[] KeysAndShapes(nn.Module model) =>
        model.named_parameters().Select(p => $"{p.name}: [{string.Join(", ", p.parameter.shape)}]").ToArray();

    private static RewardModel Create(ModelConfig config, long seed = 3)
    {
        manual_seed(seed);
        var model = new RewardModel(config);
        model.eval();
        return model;
    }

    private static readonly TokenizedExample[] _sequences =
    [
        new([1, 5, 9, 14], [20, 2]),
        new([1, 7], [3, 3, 8, 11, 2]),
        new([1, 4, 4, 6, 30, 31, 32], [2]),
    ];

    [Fact]
    public void LlamaRewardModelNamesAndShapesMatchHuggingFace() => Snapshot.Match(KeysAndShapes(Create(TinyModels.LlamaConfig())));

    [Fact]
    public void Gpt2RewardModelNamesAndShapesMatchHuggingFace() => Snapshot.Match(KeysAndShapes(Create(TinyModels.Gpt2Config())));

    [Theory]
    [InlineData("llama")]
    [InlineData("gpt2")]
    public void SaveThenLoadGivesTheSameWeightsAndRewards(string architecture)
    {
        using var dir = new ScratchDirectory();
        using var model = Create(TinyModels.ConfigFor(architecture));
        var tokenizer = TinyModels.Tokenizer();
        RewardModelCheckpoint.Save(model, dir.Sub("rm"), tokenizer);

        using var loaded = RewardModelCheckpoint.Load(dir.Sub("rm"));
        var original = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(original.Keys, loaded.named_parameters().Select(p => p.name));
        foreach (var (name, p) in loaded.named_parameters()) Assert.True(p.allclose(original[name], 0, 0), name);
        Assert.Equal(model.Score(_sequences, 0), loaded.Score(_sequences, 0));
        Assert.Equal(tokenizer.Encode("Hello world"), Cai.Models.Tokenization.TextTokenizer.Load(dir.Sub("rm")).Encode("Hello world"));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Sub("rm"), "config.json")))!;
        string expected = architecture == "gpt2" ? "GPT2ForSequenceClassification" : "LlamaForSequenceClassification";
        Assert.Equal(expected, (string)config["architectures"]![0]!);
        Assert.Equal(1, (int)config["num_labels"]!);
        Assert.Equal(tokenizer.EosTokenId, (int?)config["pad_token_id"]);
        Assert.Contains("score.weight", SafeTensors.ReadHeader(Path.Combine(dir.Sub("rm"), "model.safetensors")).Tensors.Keys);
    }

    [Fact]
    public void ACausalLanguageModelCheckpointIsNotLoadedAsARewardModel()
    {
        using var dir = new ScratchDirectory();
        using var policy = TinyModels.Create(TinyModels.LlamaConfig());
        CheckpointWriter.Save(policy, dir.Sub("policy"));
        var e = Assert.Throws<InvalidDataException>(() => RewardModelCheckpoint.Load(dir.Sub("policy")));
        Assert.Contains("LlamaForCausalLM", e.Message);

        // Its weights are refused too: no score, an lm_head the reward model does not have.
        using var model = Create(TinyModels.LlamaConfig());
        var mismatch = Assert.Throws<CheckpointMismatchException>(() => RewardModelCheckpoint.LoadWeights(model, dir.Sub("policy")));
        Assert.Equal(["score.weight"], mismatch.Missing);
        Assert.Equal(["lm_head.weight"], mismatch.Unexpected);
    }

    [Fact]
    public void FromPolicyCopiesTheTrunkAndScoresTheLastRealTokensHiddenState()
    {
        using var policy = TinyModels.Create(TinyModels.LlamaConfig());
        manual_seed(1);
        using var model = RewardModel.FromPolicy(policy);
        var policyWeights = policy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in model.named_parameters().Where(p => p.name != "score.weight"))
            Assert.True(p.allclose(policyWeights[name], 0, 0), name);
        var score = model.named_parameters().Single(p => p.name == "score.weight").parameter;
        Assert.InRange(score.std().item<float>(), 0.5 / Math.Sqrt(33), 2.0 / Math.Sqrt(33));

        var rewards = model.Score(_sequences, padTokenId: 0, batchSize: 3);
        using var noGrad = no_grad();
        for (int i = 0; i < _sequences.Length; i++)
        {
            long[] ids = [.. _sequences[i].PromptIds.Concat(_sequences[i].CompletionIds).Select(t => (long)t)];
            var hidden = policy.forward(new CausalLMInput(tensor(ids).unsqueeze(0))).LastHiddenState[0, -1];
            Assert.Equal((hidden * score[0]).sum().item<float>(), rewards[i], 4);
        }
    }

    [Fact]
    public void ScoresDoNotDependOnPaddingBatchingOrTraining()
    {
        using var model = Create(TinyModels.LlamaConfig());
        var alone = _sequences.Select(s => model.Score([s], padTokenId: 0)[0]).ToArray();
        var batched = model.Score(_sequences, padTokenId: 7, batchSize: 2);
        for (int i = 0; i < alone.Length; i++) Assert.Equal(alone[i], batched[i], 5);
        Assert.Equal(3, alone.Distinct().Count());

        model.train();
        using var scope = NewDisposeScope();
        var batch = BatchCollator.Pad(_sequences, 0, 64);
        var rewards = model.forward(new CausalLMInput(batch.InputIdsTensor(CPU), batch.AttentionMaskTensor(CPU)));
        Assert.Equal([3L], rewards.shape);
        Assert.True(rewards.requires_grad);
        model.Score(_sequences, 0);
        Assert.True(model.training); // Score restores the mode
    }
}
