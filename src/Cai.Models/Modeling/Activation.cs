using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>The MLP activations of config.json's hidden_act / hidden_activation / activation_function that are implemented.</summary>
public static class Activation
{
    /// <summary>The function a name stands for: "silu", or "gelu_new" / "gelu_pytorch_tanh" (the same tanh GELU).</summary>
    public static Func<Tensor, Tensor> Of(string name) => name switch
    {
        "silu" => x => nn.functional.silu(x),
        "gelu_new" or "gelu_pytorch_tanh" => GeluTanh,
        _ => throw new NotSupportedException($"Activation \"{name}\" is not implemented."),
    };

    /// <summary>0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): Hugging Face's NewGELUActivation and PyTorch's gelu(approximate="tanh"), one fused kernel.</summary>
    public static Tensor GeluTanh(Tensor x) => x.gelu(TorchSharp.Modules.GELU.Approximate.tanh);
}
