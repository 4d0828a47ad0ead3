using static TorchSharp.torch;

namespace Cai.Models.Training;

/// <summary>Causal LM cross-entropy: position t predicts label t+1; ignored labels (-100) carry no loss.</summary>
public static class CausalLMLoss
{
    /// <summary>Mean loss over the non-ignored shifted labels; NaN when there are none (callers weight by token count).</summary>
    /// <param name="logits">[batch, seq, vocab].</param>
    /// <param name="labels">[batch, seq] int64, <see cref="CausalLMBatch.IgnoreIndex"/> where no loss is taken.</param>
    public static Tensor Compute(Tensor logits, Tensor labels)
    {
        long vocab = logits.shape[2];
        using var shiftedLogits = logits[.., ..^1, ..].reshape(-1, vocab);
        using var shiftedLabels = labels[.., 1..].reshape(-1);
        using var floatLogits = shiftedLogits.to_type(ScalarType.Float32);
        return nn.functional.cross_entropy(floatLogits, shiftedLabels, ignore_index: CausalLMBatch.IgnoreIndex);
    }
}
