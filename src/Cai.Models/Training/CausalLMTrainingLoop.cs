using Cai.Models.Modeling;
using static TorchSharp.torch;

namespace Cai.Models.Training;

/// <summary>The <see cref="TrainingLoop{TBatch}"/> of SFT and pretraining: causal LM loss on the labelled tokens.</summary>
public static class CausalLMTrainingLoop
{
    /// <summary>A loop whose micro-batches are weighted by their labelled tokens (mean loss over all response tokens of a step).</summary>
    public static TrainingLoop<CausalLMBatch> Create(CausalLanguageModel model, TrainingOptions options, Device? device = null)
    {
        var target = device ?? CPU;
        return new TrainingLoop<CausalLMBatch>(model, options, batch => Loss(model, batch, target), b => b.LossTokenCount, b => b.TokenCount);
    }

    /// <summary>Mean causal LM loss of one batch (tensors live in the caller's dispose scope).</summary>
    public static Tensor Loss(CausalLanguageModel model, CausalLMBatch batch, Device device)
    {
        var ids = batch.InputIdsTensor(device);
        var mask = batch.AttentionMask.Contains(0) ? batch.AttentionMaskTensor(device) : null;
        var output = model.forward(new CausalLMInput(ids, mask));
        return CausalLMLoss.Compute(output.Logits, batch.LabelsTensor(device));
    }
}

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
