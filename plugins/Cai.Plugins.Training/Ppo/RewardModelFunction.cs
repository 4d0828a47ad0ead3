using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>Scores whole responses for PPO: the reward model, or any rule (tests use one).</summary>
public interface IRewardFunction
{
    /// <summary>One scalar score per (prompt, response); prompt is the chat-formatted text, response the sampled text
    /// (without eos or stop string), so prompt + response is the conversation.</summary>
    IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Response)> samples);
}

/// <summary>The reward model of <see cref="TrainingRequest.RewardCheckpoint"/> as a reward function: it reads prompt +
/// response + eos with its own tokenizer (the policy's when the checkpoint has none), as the reward trainer trained it.</summary>
public sealed class RewardModelFunction(RewardModel model, TextTokenizer tokenizer, int batchSize) : IRewardFunction, IDisposable
{
    /// <summary>Loads the request's reward model onto <paramref name="device"/>, in eval mode and frozen.</summary>
    public static RewardModelFunction Load(TrainingRequest request, Device device, int batchSize)
    {
        string directory = request.RewardCheckpoint
            ?? throw new InvalidOperationException("ppo needs a reward model: put a train stage with the reward trainer before it");
        bool hasTokenizer = File.Exists(Path.Combine(directory, "tokenizer.json")) || File.Exists(Path.Combine(directory, "vocab.json"));
        var tokenizer = TextTokenizer.Load(hasTokenizer ? directory : request.PolicyCheckpoint);
        var model = RewardModelCheckpoint.Load(directory, device);
        foreach (var parameter in model.parameters()) parameter.requires_grad = false;
        return new RewardModelFunction(model, tokenizer, batchSize);
    }

    public IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Response)> samples) =>
        model.Score(tokenizer, samples, batchSize);

    public void Dispose() => model.Dispose();
}
