using static TorchSharp.torch;

namespace Cai.Models.Training;

/// <summary>
/// A batch as plain row-major arrays [BatchSize, SequenceLength]; tensors are made per step inside the step's dispose
/// scope, so batches can be planned, shuffled and kept across steps without holding native memory.
/// </summary>
/// <param name="BatchSize">Rows.</param>
/// <param name="SequenceLength">Columns.</param>
/// <param name="InputIds">Token ids (padding positions hold the pad id).</param>
/// <param name="AttentionMask">1 for real tokens, 0 for padding.</param>
/// <param name="Labels">Targets aligned with InputIds (shifted inside the loss); <see cref="IgnoreIndex"/> where no loss is taken.</param>
public sealed record CausalLMBatch(int BatchSize, int SequenceLength, long[] InputIds, long[] AttentionMask, long[] Labels)
{
    /// <summary>Label of positions without loss (prompt and padding), as in Hugging Face and PyTorch.</summary>
    public const long IgnoreIndex = -100;

    /// <summary>Number of predicted tokens: labels after the first position that are not ignored.</summary>
    public long LossTokenCount
    {
        get
        {
            long count = 0;
            for (int row = 0; row < BatchSize; row++)
                for (int t = 1; t < SequenceLength; t++)
                    if (Labels[row * SequenceLength + t] != IgnoreIndex) count++;
            return count;
        }
    }

    /// <summary>Number of real (non-padding) tokens.</summary>
    public long TokenCount => AttentionMask.Sum();

    public Tensor InputIdsTensor(Device device) => tensor(InputIds, [BatchSize, SequenceLength], device: device);

    public Tensor AttentionMaskTensor(Device device) => tensor(AttentionMask, [BatchSize, SequenceLength], device: device);

    public Tensor LabelsTensor(Device device) => tensor(Labels, [BatchSize, SequenceLength], device: device);
}
