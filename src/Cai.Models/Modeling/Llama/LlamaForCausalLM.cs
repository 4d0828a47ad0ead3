using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

/// <summary>
/// LlamaForCausalLM: <see cref="LlamaModel"/> plus the LM head. Also runs Mistral and Qwen2 configs (the same
/// computation; Qwen2 adds q/k/v biases), Gemma (scaled embeddings, 1 + weight norms, tanh GELU; see
/// <see cref="ModelConfig.IsGemma"/>) and Phi-3 (fused projections, <see cref="ModelConfig.FusedProjections"/>).
/// With tie_word_embeddings, lm_head.weight is the embedding Parameter itself.
/// </summary>
public sealed class LlamaForCausalLM : CausalLanguageModel
{
    private readonly LlamaModel model;
    private readonly LanguageModelHead lm_head;

    public LlamaForCausalLM(ModelConfig config) : base(nameof(LlamaForCausalLM), config)
    {
        if (config.Architecture != ModelArchitecture.Llama)
            throw new ArgumentException($"model_type {config.ModelType} is not a Llama-family model.", nameof(config));
        model = new LlamaModel(config);
        lm_head = config.TieWordEmbeddings ? new LanguageModelHead(model.EmbedTokens) : new LanguageModelHead(config.HiddenSize, config.VocabSize);
        RegisterComponents();
        InitializeWeights();
    }

    /// <summary>The token embedding table.</summary>
    public TokenEmbedding Embeddings => model.EmbedTokens;

    /// <summary>The LM head (its Weight is <see cref="Embeddings"/>' Parameter when tied).</summary>
    public LanguageModelHead LmHead => lm_head;

    /// <inheritdoc />
    public override IReadOnlyCollection<string> TiedParameterNames => Config.TieWordEmbeddings ? ["lm_head.weight"] : [];

    /// <summary>Hugging Face's initialisation: normal(0, 0.02) for linear and embedding weights, zero biases, unit norms (Gemma's: zero offsets).</summary>
    public void InitializeWeights(double std = 0.02)
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("layernorm.weight", StringComparison.Ordinal) || name == "model.norm.weight") p.fill_(Config.IsGemma ? 0.0 : 1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0, std);
        }
    }

    public override CausalLMOutput forward(CausalLMInput input)
    {
        using var scope = NewDisposeScope();
        var context = AttentionContext.Create(input, Config);
        var hidden = model.forward(input.InputIds, context);
        input.PastKeyValues?.Advance();
        var kept = input.LogitsToKeep > 0 && input.LogitsToKeep < hidden.shape[1]
            ? hidden.narrow(1, hidden.shape[1] - input.LogitsToKeep, input.LogitsToKeep)
            : hidden;
        var logits = lm_head.forward(kept);
        return new CausalLMOutput(logits.MoveToOuterDisposeScope(), hidden.MoveToOuterDisposeScope());
    }

    public override KeyValueCache CreateCache(int batchSize, int maxLength, Device device, ScalarType dtype) =>
        new(Config.NumHiddenLayers, batchSize, Config.NumKeyValueHeads, maxLength, Config.HeadDim, device, dtype);
}
