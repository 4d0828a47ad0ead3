using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>
/// PPO rewards per response token: −kl_coef·KL at every token, plus the reward model's sequence score
/// at the last response token (Ziegler et al. 2019). Rows with an empty response get 0 everywhere.
/// </summary>
public static class TokenRewards
{
    /// <param name="scores">Reward model score per sequence, [batch].</param>
    /// <param name="klPerToken">Per-token KL estimate, [batch, seq] (see <see cref="TokenKl"/>).</param>
    /// <param name="responseMask">1 at response tokens, [batch, seq].</param>
    /// <param name="klCoef">β of the KL penalty.</param>
    public static Tensor Compute(Tensor scores, Tensor klPerToken, Tensor responseMask, double klCoef)
    {
        using var scope = NewDisposeScope();
        var mask = responseMask.to_type(klPerToken.dtype);
        var rewards = -klCoef * klPerToken * mask;
        // Position+1 at response tokens, 0 elsewhere: its argmax is the last response token.
        var positions = arange(1, mask.shape[1] + 1, dtype: mask.dtype, device: mask.device);
        var last = (mask * positions).argmax(1, keepdim: true);
        var hasResponse = mask.sum(1).gt(0).to_type(mask.dtype);
        var score = (scores.to_type(mask.dtype) * hasResponse).unsqueeze(1);
        return rewards.scatter_add(1, last, score).MoveToOuterDisposeScope();
    }
}
