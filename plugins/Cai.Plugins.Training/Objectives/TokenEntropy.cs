using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Cai.Plugins.Training.Objectives;

/// <summary>Entropy of the policy's next-token distributions: H = −Σ p·log p over the vocabulary.</summary>
public static class TokenEntropy
{
    /// <summary>Per-position entropy from logits [batch, seq, vocab] → [batch, seq].</summary>
    public static Tensor FromLogits(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var logp = log_softmax(logits, -1);
        var plogp = logp.exp() * logp;
        // Tokens masked with −inf logits have p = 0 and contribute 0, not 0·(−inf) = NaN.
        plogp = where(logp.isneginf(), zeros_like(plogp), plogp);
        return (-plogp.sum(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>Scalar mean entropy over response tokens.</summary>
    public static Tensor MaskedMean(Tensor logits, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return Masked.Mean(FromLogits(logits), mask).MoveToOuterDisposeScope();
    }
}
