using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Gpt2;

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
