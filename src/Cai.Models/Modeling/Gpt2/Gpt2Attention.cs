using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Gpt2;

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
