using Cai.Models.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Cai.Plugins.Training.Ppo;

/// <summary>
/// What one forward pass over prompt + response gives PPO, per action: index t of every tensor is about token t + 1
/// (predicted from positions ≤ t), so all are [batch, seq − 1]. One pass yields both the log-probs and the hidden state
/// for the value head, which is why this does not call LogProbs.OfContinuations (a pass of its own).
/// </summary>
/// <param name="Logits">Next-token logits divided by the sampling temperature, [batch, seq − 1, vocab].</param>
/// <param name="Logprobs">log π(token t + 1 | ..t), [batch, seq − 1].</param>
/// <param name="Values">Value head output at position t, the value of the state before token t + 1; null without a head.</param>
public sealed record TokenOutputs(Tensor Logits, Tensor Logprobs, Tensor? Values)
{
    /// <summary>Runs <paramref name="model"/> (and <paramref name="valueHead"/>, when given) on right-padded sequences.</summary>
    public static TokenOutputs Compute(CausalLanguageModel model, Linear? valueHead, Tensor inputIds, Tensor attentionMask, double temperature)
    {
        using var scope = NewDisposeScope();
        long seq = inputIds.shape[1];
        var output = model.forward(new CausalLMInput(inputIds, attentionMask));
        var logits = output.Logits.narrow(1, 0, seq - 1).to(ScalarType.Float32) / temperature;
        var targets = inputIds.narrow(1, 1, seq - 1).unsqueeze(-1);
        var logprobs = log_softmax(logits, -1).gather(-1, targets).squeeze(-1);
        var values = valueHead?.forward(output.LastHiddenState.narrow(1, 0, seq - 1).to(ScalarType.Float32)).squeeze(-1);
        return new TokenOutputs(logits.MoveToOuterDisposeScope(), logprobs.MoveToOuterDisposeScope(), values?.MoveToOuterDisposeScope());
    }
}
