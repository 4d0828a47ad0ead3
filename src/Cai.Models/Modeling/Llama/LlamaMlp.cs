using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

/// <summary>
/// Gated feed-forward (LlamaMLP): down(act(gate(x)) * up(x)), act silu (SwiGLU) or Gemma's tanh GELU. Phi-3 stores
/// gate and up as one gate_up_proj (gate rows first).
/// </summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _act;
    private readonly long _intermediate;

    private readonly Linear? gate_proj;
    private readonly Linear? up_proj;
    private readonly Linear? gate_up_proj;
    private readonly Linear down_proj;

    public LlamaMlp(ModelConfig config) : base(nameof(LlamaMlp))
    {
        _act = Activation.Of(config.HiddenAct);
        _intermediate = config.IntermediateSize;
        if (config.FusedProjections) gate_up_proj = nn.Linear(config.HiddenSize, 2 * _intermediate, hasBias: config.MlpBias);
        else
        {
            gate_proj = nn.Linear(config.HiddenSize, _intermediate, hasBias: config.MlpBias);
            up_proj = nn.Linear(config.HiddenSize, _intermediate, hasBias: config.MlpBias);
        }
        down_proj = nn.Linear(_intermediate, config.HiddenSize, hasBias: config.MlpBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor gate, up;
        if (gate_up_proj is not null)
        {
            var gateUp = gate_up_proj.forward(x);
            (gate, up) = (gateUp.narrow(-1, 0, _intermediate), gateUp.narrow(-1, _intermediate, _intermediate));
        }
        else (gate, up) = (gate_proj!.forward(x), up_proj!.forward(x));
        return down_proj.forward(_act(gate) * up).MoveToOuterDisposeScope();
    }
}
