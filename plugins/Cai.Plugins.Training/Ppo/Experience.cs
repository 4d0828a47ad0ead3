using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>What the PPO epochs learn from: the rollout with its advantages (whitened) and returns, [batch, seq − 1].</summary>
public sealed record Experience(SequenceBatch Sequences, Tensor Logprobs, Tensor Values, Tensor Advantages, Tensor Returns)
{
    public long Count => Sequences.InputIds.shape[0];

    /// <summary>The given rows, cut to their longest real sequence (tensors in the caller's dispose scope).</summary>
    public Experience Rows(long[] rows)
    {
        var index = tensor(rows, device: Sequences.InputIds.device);
        var attention = Sequences.AttentionMask.index_select(0, index);
        long length = attention.sum(1).max().item<long>();
        Tensor Take(Tensor t, long columns) => t.index_select(0, index).narrow(1, 0, columns);
        return new Experience(
            new SequenceBatch(Take(Sequences.InputIds, length), attention.narrow(1, 0, length), Take(Sequences.ActionMask, length - 1)),
            Take(Logprobs, length - 1), Take(Values, length - 1), Take(Advantages, length - 1), Take(Returns, length - 1));
    }
}
