using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

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
