using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Gpt2;

/// <summary>GPT2LMHeadModel: <see cref="Gpt2Model"/> plus an LM head tied to the token embedding.</summary>
public sealed class Gpt2LMHeadModel : CausalLanguageModel
{
    private readonly Gpt2Model transformer;
    private readonly LanguageModelHead lm_head;

    public Gpt2LMHeadModel(ModelConfig config) : base(nameof(Gpt2LMHeadModel), config)
    {
        if (config.Architecture != ModelArchitecture.Gpt2)
            throw new ArgumentException($"model_type {config.ModelType} is not gpt2.", nameof(config));
        transformer = new Gpt2Model(config);
        lm_head = config.TieWordEmbeddings ? new LanguageModelHead(transformer.Wte) : new LanguageModelHead(config.HiddenSize, config.VocabSize);
        RegisterComponents();
        InitializeWeights();
    }

    /// <summary>The token embedding table.</summary>
    public TokenEmbedding Embeddings => transformer.Wte;

    /// <summary>The LM head (its Weight is <see cref="Embeddings"/>' Parameter when tied).</summary>
    public LanguageModelHead LmHead => lm_head;

    /// <inheritdoc />
    public override IReadOnlyCollection<string> TiedParameterNames => Config.TieWordEmbeddings ? ["lm_head.weight"] : [];

    /// <summary>
    /// Hugging Face's GPT-2 initialisation: normal(0, 0.02) weights, zero biases, unit layer norms, and residual
    /// output projections (c_proj) scaled by 1/sqrt(2 * n_layer).
    /// </summary>
    public void InitializeWeights(double std = 0.02)
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            bool norm = name.Contains(".ln_", StringComparison.Ordinal) || name.StartsWith("transformer.ln_f", StringComparison.Ordinal);
            if (norm) { if (name.EndsWith(".weight", StringComparison.Ordinal)) p.fill_(1.0); else p.zero_(); }
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) p.normal_(0, std / Math.Sqrt(2.0 * Config.NumHiddenLayers));
            else p.normal_(0, std);
        }
    }

    public override CausalLMOutput forward(CausalLMInput input)
    {
        using var scope = NewDisposeScope();
        var context = AttentionContext.Create(input, Config);
        var hidden = transformer.forward(input.InputIds, context);
        input.PastKeyValues?.Advance();
        var kept = input.LogitsToKeep > 0 && input.LogitsToKeep < hidden.shape[1]
            ? hidden.narrow(1, hidden.shape[1] - input.LogitsToKeep, input.LogitsToKeep)
            : hidden;
        return new CausalLMOutput(lm_head.forward(kept).MoveToOuterDisposeScope(), hidden.MoveToOuterDisposeScope());
    }

    public override KeyValueCache CreateCache(int batchSize, int maxLength, Device device, ScalarType dtype) =>
        new(Config.NumHiddenLayers, batchSize, Config.NumKeyValueHeads, maxLength, Config.HeadDim, device, dtype);
}
