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
        var (q, k, v) = Project(x);
        q = q.reshape(batch, seq, _heads, _headDim).transpose(1, 2);
        k = k.reshape(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        v = v.reshape(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, context.Cos!, context.Sin!);
        k = RotaryEmbedding.Apply(k, context.Cos!, context.Sin!);
        if (context.Cache is not null) (k, v) = context.Cache.Update(_layer, k, v);
        var y = Attention.Compute(q, k, v, context);                       // [b, heads, s, d]
        y = y.transpose(1, 2).reshape(batch, seq, _heads * _headDim);
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
