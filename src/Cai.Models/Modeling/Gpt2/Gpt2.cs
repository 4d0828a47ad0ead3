using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Gpt2;

// GPT-2 as Hugging Face's modeling_gpt2.py lays it out, top-down: Gpt2LMHeadModel, Gpt2Model, Gpt2Block, Gpt2Attention,
// Gpt2Mlp and Conv1D. Module and parameter fields carry Hugging Face's names (wte, h, ln_f, c_attn): RegisterComponents
// turns a field's name into its weight's name, so a checkpoint's tensors load by name.
#pragma warning disable IDE1006 // Hugging Face weight names: RegisterComponents names each weight after its field.

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

/// <summary>The GPT-2 trunk (GPT2Model): token and learned position embeddings, blocks, final layer norm.</summary>
public sealed class Gpt2Model : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly TokenEmbedding wte;
    private readonly TokenEmbedding wpe;
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;

    public Gpt2Model(ModelConfig config) : base(nameof(Gpt2Model))
    {
        wte = new TokenEmbedding(config.VocabSize, config.HiddenSize);
        wpe = new TokenEmbedding(config.MaxPositionEmbeddings, config.HiddenSize);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.NumHiddenLayers).Select(i => new Gpt2Block(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.HiddenSize, config.NormEpsilon);
        RegisterComponents();
    }

    /// <summary>The token embedding (tied to the LM head).</summary>
    public TokenEmbedding Wte => wte;

    public override Tensor forward(Tensor inputIds, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        var x = wte.forward(inputIds) + wpe.forward(context.PositionIds);
        foreach (var block in h) x = block.forward(x, context);
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-2 block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class Gpt2Block : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly Gpt2Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Gpt2Mlp mlp;

    public Gpt2Block(ModelConfig config, int layer) : base(nameof(Gpt2Block))
    {
        ln_1 = nn.LayerNorm(config.HiddenSize, config.NormEpsilon);
        attn = new Gpt2Attention(config, layer);
        ln_2 = nn.LayerNorm(config.HiddenSize, config.NormEpsilon);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x), context);
        x = x + mlp.forward(ln_2.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-2 causal self-attention: one fused c_attn projection to q, k, v, then c_proj.</summary>
public sealed class Gpt2Attention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly int _layer, _heads, _headDim;
    private readonly long _hidden;

    private readonly Conv1D c_attn;
    private readonly Conv1D c_proj;

    public Gpt2Attention(ModelConfig config, int layer) : base(nameof(Gpt2Attention))
    {
        _layer = layer;
        _heads = config.NumAttentionHeads;
        _headDim = config.HiddenSize / config.NumAttentionHeads;
        _hidden = config.HiddenSize;
        c_attn = new Conv1D(_hidden, 3 * _hidden);
        c_proj = new Conv1D(_hidden, _hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], seq = x.shape[1];
        var qkv = c_attn.forward(x).split(_hidden, 2);
        Tensor Heads(Tensor t) => t.view(batch, seq, _heads, _headDim).transpose(1, 2);
        Tensor q = Heads(qkv[0]), k = Heads(qkv[1]), v = Heads(qkv[2]);
        (k, v) = context.Extend(_layer, k, v);
        var y = Attention.Compute(q, k, v, context).transpose(1, 2).reshape(batch, seq, _hidden);
        return c_proj.forward(y).MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-2 feed-forward: c_proj(gelu_tanh(c_fc(x))).</summary>
public sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc;
    private readonly Conv1D c_proj;

    public Gpt2Mlp(ModelConfig config) : base(nameof(Gpt2Mlp))
    {
        c_fc = new Conv1D(config.HiddenSize, config.IntermediateSize);
        c_proj = new Conv1D(config.IntermediateSize, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return c_proj.forward(Activation.GeluTanh(c_fc.forward(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-2's "Conv1D": a linear layer whose weight is stored transposed, [in, out]; y = x W + b.</summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public Conv1D(long inFeatures, long outFeatures) : base(nameof(Conv1D))
    {
        weight = nn.Parameter(empty(inFeatures, outFeatures).normal_(0, 0.02));
        bias = nn.Parameter(zeros(outFeatures));
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var y = addmm(bias, x.reshape(-1, shape[^1]), weight, 1, 1);
        return y.view([.. shape[..^1], weight.shape[1]]).MoveToOuterDisposeScope();
    }
}
