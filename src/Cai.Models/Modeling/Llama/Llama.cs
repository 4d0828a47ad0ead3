using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

// The Llama family as Hugging Face's modeling_llama.py lays it out, top-down: LlamaForCausalLM, LlamaModel,
// LlamaDecoderLayer, LlamaAttention, LlamaMlp, RmsNorm (rotary positions are in RotaryEmbedding.cs). Module and
// parameter fields carry Hugging Face's names (q_proj, embed_tokens, lm_head): RegisterComponents turns a field's name
// into its weight's name, so a checkpoint's tensors load by name.
#pragma warning disable IDE1006 // Hugging Face weight names: RegisterComponents names each weight after its field.

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

/// <summary>The Llama trunk (LlamaModel): token embedding, decoder layers, final norm.</summary>
public sealed class LlamaModel : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly ModelConfig _config;

    private readonly TokenEmbedding embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly RmsNorm norm;
    private Tensor? _rotary; // RotaryEmbedding.Table for the device and dtype of the last pass

    public LlamaModel(ModelConfig config) : base(nameof(LlamaModel))
    {
        _config = config;
        embed_tokens = new TokenEmbedding(config.VocabSize, config.HiddenSize);
        layers = new ModuleList<LlamaDecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(i => new LlamaDecoderLayer(config, i)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.NormEpsilon, config.IsGemma);
        RegisterComponents();
    }

    /// <summary>The token embedding (tied to the LM head when tie_word_embeddings).</summary>
    public TokenEmbedding EmbedTokens => embed_tokens;

    /// <summary>Hidden states after the final norm, [batch, seq, hidden].</summary>
    public override Tensor forward(Tensor inputIds, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        var x = embed_tokens.forward(inputIds);
        if (_config.IsGemma) x = x * tensor(Math.Sqrt(_config.HiddenSize), x.dtype, x.device); // sqrt(hidden) rounded to x's type, as Gemma does
        var (cos, sin) = _config.RopeScaling?.Type == RopeScaling.Dynamic
            ? RotaryEmbedding.DynamicLookup(_config, context.PositionIds, x.dtype)
            : RotaryEmbedding.Lookup(RotaryTable(x.device, x.dtype), context.PositionIds);
        context = context with { Cos = cos, Sin = sin };
        foreach (var layer in layers) x = layer.forward(x, context);
        return norm.forward(x).MoveToOuterDisposeScope();
    }

    private Tensor RotaryTable(Device device, ScalarType dtype)
    {
        if (_rotary is null || _rotary.device_type != device.type || _rotary.device_index != device.index || _rotary.dtype != dtype)
        {
            _rotary?.Dispose();
            _rotary = RotaryEmbedding.Table(_config, device, dtype).DetachFromDisposeScope();
        }
        return _rotary;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rotary?.Dispose();
            _rotary = null;
        }
        base.Dispose(disposing);
    }
}

/// <summary>Pre-norm decoder block (LlamaDecoderLayer): x + attn(norm(x)), then x + mlp(norm(x)).</summary>
public sealed class LlamaDecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly LlamaAttention self_attn;
    private readonly LlamaMlp mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;

    public LlamaDecoderLayer(ModelConfig config, int layer) : base(nameof(LlamaDecoderLayer))
    {
        self_attn = new LlamaAttention(config, layer);
        mlp = new LlamaMlp(config);
        input_layernorm = new RmsNorm(config.HiddenSize, config.NormEpsilon, config.IsGemma);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.NormEpsilon, config.IsGemma);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        x = x + self_attn.forward(input_layernorm.forward(x), context);
        x = x + mlp.forward(post_attention_layernorm.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Multi-head self-attention with rotary positions and grouped-query key/value heads (LlamaAttention). Phi-3 stores
/// q, k and v as one qkv_proj (rows in that order).
/// </summary>
public sealed class LlamaAttention : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly int _layer, _heads, _kvHeads, _headDim;

    private readonly Linear? q_proj;
    private readonly Linear? k_proj;
    private readonly Linear? v_proj;
    private readonly Linear? qkv_proj;
    private readonly Linear o_proj;

    public LlamaAttention(ModelConfig config, int layer) : base(nameof(LlamaAttention))
    {
        _layer = layer;
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        if (config.FusedProjections) qkv_proj = nn.Linear(config.HiddenSize, (_heads + 2 * _kvHeads) * _headDim, hasBias: config.QkvBias);
        else
        {
            q_proj = nn.Linear(config.HiddenSize, _heads * _headDim, hasBias: config.QkvBias);
            k_proj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.QkvBias);
            v_proj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.QkvBias);
        }
        o_proj = nn.Linear(_heads * _headDim, config.HiddenSize, hasBias: config.OutputProjectionBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], seq = x.shape[1];
        var (qProjected, kProjected, vProjected) = Project(x);
        // reshape, not view: Phi-3's fused projections give non-contiguous slices.
        var q = qProjected.reshape(batch, seq, _heads, _headDim);
        var k = kProjected.reshape(batch, seq, _kvHeads, _headDim);
        var v = vProjected.reshape(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        // Queries and keys rotate together: one set of rotary operations instead of two.
        var qk = RotaryEmbedding.Apply(cat([q, k], 2), context.Cos!, context.Sin!).transpose(1, 2); // [b, heads + kv_heads, s, d]
        q = qk.narrow(1, 0, _heads);
        k = qk.narrow(1, _heads, _kvHeads);
        (k, v) = context.Extend(_layer, k, v);
        var y = Attention.Compute(q, k, v, context);                                     // [b, heads, s, d]
        // One position: [b, heads, 1, d] is already laid out as [b, 1, heads * d].
        y = seq == 1 ? y.reshape(batch, 1, _heads * _headDim) : y.transpose(1, 2).reshape(batch, seq, _heads * _headDim);
        return o_proj.forward(y).MoveToOuterDisposeScope();
    }

    private (Tensor Q, Tensor K, Tensor V) Project(Tensor x)
    {
        if (qkv_proj is null) return (q_proj!.forward(x), k_proj!.forward(x), v_proj!.forward(x));
        var qkv = qkv_proj.forward(x);
        long queries = _heads * _headDim, keys = _kvHeads * _headDim;
        return (qkv.narrow(-1, 0, queries), qkv.narrow(-1, queries, keys), qkv.narrow(-1, queries + keys, keys));
    }
}

/// <summary>
/// Gated feed-forward (LlamaMLP): down(act(gate(x)) * up(x)), act silu (SwiGLU) or Gemma's tanh GELU. Phi-3 stores
/// gate and up as one gate_up_proj (gate rows first).
/// </summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _act;
    private readonly long _intermediate;

    private readonly Linear? gate_proj;
    private readonly Linear? up_proj;
    private readonly Linear? gate_up_proj;
    private readonly Linear down_proj;

    public LlamaMlp(ModelConfig config) : base(nameof(LlamaMlp))
    {
        _act = Activation.Of(config.HiddenAct);
        _intermediate = config.IntermediateSize;
        if (config.FusedProjections) gate_up_proj = nn.Linear(config.HiddenSize, 2 * _intermediate, hasBias: config.MlpBias);
        else
        {
            gate_proj = nn.Linear(config.HiddenSize, _intermediate, hasBias: config.MlpBias);
            up_proj = nn.Linear(config.HiddenSize, _intermediate, hasBias: config.MlpBias);
        }
        down_proj = nn.Linear(_intermediate, config.HiddenSize, hasBias: config.MlpBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor gate, up;
        if (gate_up_proj is not null)
        {
            var gateUp = gate_up_proj.forward(x);
            (gate, up) = (gateUp.narrow(-1, 0, _intermediate), gateUp.narrow(-1, _intermediate, _intermediate));
        }
        else (gate, up) = (gate_proj!.forward(x), up_proj!.forward(x));
        return down_proj.forward(_act(gate) * up).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Root-mean-square norm (LlamaRMSNorm): x / sqrt(mean(x^2) + eps) * weight, normalized in float32. Gemma's
/// (GemmaRMSNorm) stores the weight as an offset from 1 and multiplies in float32: (normed * (1 + weight)) in x's type.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;
    private readonly bool _unitOffset;

    // Field name = Hugging Face parameter name.
    private readonly Parameter weight;

    public RmsNorm(long hiddenSize, double eps, bool unitOffset = false) : base(nameof(RmsNorm))
    {
        _eps = eps;
        _unitOffset = unitOffset;
        weight = nn.Parameter(unitOffset ? zeros(hiddenSize) : ones(hiddenSize));
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var dtype = x.dtype;
        bool float32 = dtype == ScalarType.Float32;
        var x32 = float32 ? x : x.to(ScalarType.Float32);
        var normed = x32 * rsqrt(x32.pow(2).mean([-1], keepdim: true) + _eps);
        if (_unitOffset) return (normed * (weight.to(ScalarType.Float32) + 1)).to(dtype).MoveToOuterDisposeScope();
        return (weight * (float32 ? normed : normed.to(dtype))).MoveToOuterDisposeScope();
    }
}
