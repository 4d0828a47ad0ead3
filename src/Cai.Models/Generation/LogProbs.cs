using Cai.Models.Modeling;
using static TorchSharp.torch;

namespace Cai.Models.Generation;

/// <summary>
/// Token log-probabilities of given sequences under a model, as tensors that keep their autograd graph, for trainers
/// (DPO, PPO) and scorers.
/// </summary>
public static class LogProbs
{
    /// <summary>
    /// Log-probability of every token given the tokens before it: result[b, t] = log p(ids[b, t + 1] | ids[b, ..t + 1])
    /// for t in [0, seq - 1), multiplied by continuationMask[b, t + 1] (so only continuation tokens count).
    /// Shape [batch, seq - 1], float32, differentiable with respect to the model's parameters.
    /// </summary>
    /// <param name="model">The model (train or eval mode as the caller set it).</param>
    /// <param name="inputIds">[batch, seq] prompt followed by continuation, padded.</param>
    /// <param name="attentionMask">[batch, seq] 1 for real tokens; null when there is no padding.</param>
    /// <param name="continuationMask">[batch, seq] 1 on the continuation tokens whose log-probabilities are wanted.</param>
    public static Tensor OfContinuations(CausalLanguageModel model, Tensor inputIds, Tensor? attentionMask, Tensor continuationMask)
    {
        using var scope = NewDisposeScope();
        var logits = model.forward(new CausalLMInput(inputIds, attentionMask)).Logits;
        long seq = inputIds.shape[1];
        var predicting = logits.narrow(1, 0, seq - 1).to(ScalarType.Float32);       // [b, s-1, v]
        var targets = inputIds.narrow(1, 1, seq - 1).unsqueeze(-1);                    // [b, s-1, 1]
        var tokenLogProbs = predicting.gather(-1, targets).squeeze(-1) - predicting.logsumexp(-1);
        var mask = continuationMask.narrow(1, 1, seq - 1).to(ScalarType.Float32);
        return (tokenLogProbs * mask).MoveToOuterDisposeScope();
    }

    /// <summary>Sum over the sequence of <see cref="OfContinuations"/>: one log-probability per row, [batch].</summary>
    public static Tensor SumOfContinuations(CausalLanguageModel model, Tensor inputIds, Tensor? attentionMask, Tensor continuationMask)
    {
        using var scope = NewDisposeScope();
        return OfContinuations(model, inputIds, attentionMask, continuationMask).sum(-1).MoveToOuterDisposeScope();
    }
}
