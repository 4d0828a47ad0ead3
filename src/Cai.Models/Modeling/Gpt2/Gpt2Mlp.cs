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
        return c_proj.forward(Activation.GeluTanh(c_fc.forward(x))).MoveToOuterDisposeScope();
    }
}
