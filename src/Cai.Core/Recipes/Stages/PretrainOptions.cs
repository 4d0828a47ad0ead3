using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;

namespace Cai.Core.Recipes.Stages;

/// <summary>
/// pretrain: builds the toy world's corpus, trains a byte-level BPE tokenizer on it, and pretrains a small Llama-style
/// model from scratch with the causal LM loss (AdamW with weight decay, warmup + cosine, clipping, resumable).
/// </summary>
public sealed record PretrainOptions : StageOptions, IValidatableObject
{
    /// <summary>Documents in the generated corpus.</summary>
    [Range(1, 100_000_000)]
    public int Documents { get; init; } = 60000;

    /// <summary>Vocabulary size of the BPE tokenizer (special tokens and the 256 bytes included).</summary>
    [Range(260, 1 << 20)]
    public int VocabSize { get; init; } = 1024;

    /// <summary>Width of the residual stream.</summary>
    [Range(2, 1 << 16)]
    public int HiddenSize { get; init; } = 192;

    /// <summary>Width of the SwiGLU MLP.</summary>
    [Range(1, 1 << 18)]
    public int IntermediateSize { get; init; } = 512;

    /// <summary>Decoder layers.</summary>
    [Range(1, 1024)]
    public int NumHiddenLayers { get; init; } = 4;

    /// <summary>Query heads.</summary>
    [Range(1, 1024)]
    public int NumAttentionHeads { get; init; } = 6;

    /// <summary>Key/value heads (grouped-query attention).</summary>
    [Range(1, 1024)]
    public int NumKeyValueHeads { get; init; } = 2;

    /// <summary>Longest sequence the model handles (prompts with few-shot examples included).</summary>
    [Range(2, 1 << 20)]
    public int MaxPositionEmbeddings { get; init; } = 768;

    /// <summary>Tokens per packed training block.</summary>
    [Range(2, 1 << 20)]
    public int BlockSize { get; init; } = 256;

    /// <summary>Optimizer steps (each of batch_size blocks).</summary>
    [Range(1, 100_000_000)]
    public int MaxSteps { get; init; } = 3000;

    /// <summary>Peak learning rate.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Linear warmup steps.</summary>
    [Range(0, 100_000_000)]
    public int WarmupSteps { get; init; } = 100;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Floor of the cosine schedule as a fraction of the peak.</summary>
    [Range(0.0, 1.0)]
    public double MinLearningRateRatio { get; init; } = 0.1;

    /// <summary>Steps between resumable checkpoints.</summary>
    [Range(0, int.MaxValue)]
    public int SaveSteps { get; init; } = 250;

    /// <summary>Steps between metric rows.</summary>
    [Range(1, int.MaxValue)]
    public int LoggingSteps { get; init; } = 25;

    /// <summary>Also copy the final checkpoint here (e.g. ../models/cai-tiny-base), relative to the recipe file.</summary>
    [RecipePath]
    public string? Export { get; init; }

    /// <summary>The model's shape must be one the Llama implementation builds.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HiddenSize % NumAttentionHeads != 0)
            yield return new ValidationResult($"({HiddenSize}) must be a multiple of num_attention_heads ({NumAttentionHeads})",
                [nameof(HiddenSize)]);
        else if (HiddenSize / NumAttentionHeads % 2 != 0)
            yield return new ValidationResult(
                $"({HiddenSize}) / num_attention_heads ({NumAttentionHeads}) must be even (rotary embeddings rotate pairs)",
                [nameof(HiddenSize)]);
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            yield return new ValidationResult($"({NumKeyValueHeads}) must divide num_attention_heads ({NumAttentionHeads})",
                [nameof(NumKeyValueHeads)]);
        if (BlockSize > MaxPositionEmbeddings)
            yield return new ValidationResult($"({BlockSize}) must be at most max_position_embeddings ({MaxPositionEmbeddings})",
                [nameof(BlockSize)]);
    }
}
