using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

/// <summary>
/// Root-mean-square norm (LlamaRMSNorm): x / sqrt(mean(x^2) + eps) * weight, normalized in float32. Gemma's
/// (GemmaRMSNorm) stores the weight as an offset from 1 and multiplies in float32: (normed * (1 + weight)) in x's type.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;
    private readonly bool _unitOffset;

    // Field name = Hugging Face parameter name.
    private readonly Parameter weight;

    public RmsNorm(long hiddenSize, double eps, bool unitOffset = false) : base(nameof(RmsNorm))
    {
        _eps = eps;
        _unitOffset = unitOffset;
        weight = nn.Parameter(unitOffset ? zeros(hiddenSize) : ones(hiddenSize));
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
        if (_unitOffset) return (normed * (weight.to(ScalarType.Float32) + 1)).to(dtype).MoveToOuterDisposeScope();
        return (weight * (float32 ? normed : normed.to(dtype))).MoveToOuterDisposeScope();
    }
}
