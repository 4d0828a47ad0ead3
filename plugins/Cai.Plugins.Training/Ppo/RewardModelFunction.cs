using Cai.Abstractions.Training;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>The reward model of <see cref="TrainingRequest.RewardCheckpoint"/> as a reward function.</summary>
public sealed class RewardModelFunction : IRewardFunction, IDisposable
{
    private RewardModelFunction()
    {
    }

    /// <summary>Loads the request's reward model onto <paramref name="device"/>.</summary>
    public static RewardModelFunction Load(TrainingRequest request, Device device)
    {
        if (request.RewardCheckpoint is null)
            throw new InvalidOperationException("ppo needs a reward model: put a train stage with the reward trainer before it");
        _ = device;
        throw new NotSupportedException("ppo: loading the reward model is not wired yet (waiting for Cai.Models' RewardModel)");
    }

    public IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Response)> samples) => throw new NotSupportedException();

    public void Dispose()
    {
    }
}
