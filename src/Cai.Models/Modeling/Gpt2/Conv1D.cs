using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Gpt2;

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
