using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

/// <summary>Root-mean-square norm (LlamaRMSNorm): x / sqrt(mean(x^2) + eps) * weight, computed in float32.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;

    // Field name = Hugging Face parameter name.
    private readonly Parameter weight;

    public RmsNorm(long hiddenSize, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = nn.Parameter(ones(hiddenSize));
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
        return (weight * (float32 ? normed : normed.to(dtype))).MoveToOuterDisposeScope();
    }
}
