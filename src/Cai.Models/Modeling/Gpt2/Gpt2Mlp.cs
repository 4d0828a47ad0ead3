using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Gpt2;

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
        return c_proj.forward(GeluNew(c_fc.forward(x))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), Hugging Face's NewGELUActivation: torch's gelu with the tanh
    /// approximation, one fused kernel.
    /// </summary>
    public static Tensor GeluNew(Tensor x) => x.gelu(TorchSharp.Modules.GELU.Approximate.tanh);
}
