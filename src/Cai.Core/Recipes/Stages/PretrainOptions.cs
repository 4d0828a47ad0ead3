using Cai.Abstractions.Plugins;

namespace Cai.Core.Recipes.Stages;

/// <summary>
/// pretrain: builds the toy world's corpus, trains a byte-level BPE tokenizer on it, and pretrains a small Llama-style
/// model from scratch with the causal LM loss (AdamW with weight decay, warmup + cosine, clipping, resumable).
/// </summary>
public sealed record PretrainOptions : StageOptions
{
    /// <summary>Documents in the generated corpus.</summary>
    public int Documents { get; init; } = 60000;

    /// <summary>Vocabulary size of the BPE tokenizer (special tokens and the 256 bytes included).</summary>
    public int VocabSize { get; init; } = 1024;

    /// <summary>Width of the residual stream.</summary>
    public int HiddenSize { get; init; } = 192;

    /// <summary>Width of the SwiGLU MLP.</summary>
    public int IntermediateSize { get; init; } = 512;

    /// <summary>Decoder layers.</summary>
    public int NumHiddenLayers { get; init; } = 4;

    /// <summary>Query heads.</summary>
    public int NumAttentionHeads { get; init; } = 6;

    /// <summary>Key/value heads (grouped-query attention).</summary>
    public int NumKeyValueHeads { get; init; } = 2;

    /// <summary>Longest sequence the model handles (prompts with few-shot examples included).</summary>
    public int MaxPositionEmbeddings { get; init; } = 768;

    /// <summary>Tokens per packed training block.</summary>
    public int BlockSize { get; init; } = 256;

    /// <summary>Optimizer steps (each of batch_size blocks).</summary>
    public int MaxSteps { get; init; } = 3000;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Linear warmup steps.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Floor of the cosine schedule as a fraction of the peak.</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;

    /// <summary>Steps between resumable checkpoints.</summary>
    public int SaveSteps { get; init; } = 250;

    /// <summary>Steps between metric rows.</summary>
    public int LoggingSteps { get; init; } = 25;

    /// <summary>Also copy the final checkpoint here (e.g. ../models/cai-tiny-base), relative to the recipe file.</summary>
    [RecipePath]
    public string? Export { get; init; }
}
