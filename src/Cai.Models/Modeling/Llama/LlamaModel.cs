using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

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
