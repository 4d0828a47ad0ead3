using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

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
