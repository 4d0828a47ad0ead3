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
