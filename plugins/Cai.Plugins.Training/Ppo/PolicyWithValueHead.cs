using Cai.Models.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>
/// The trained module: the policy plus a scalar value head on its last hidden state (a shared backbone, as TRL's
/// AutoModelForCausalLMWithValueHead). Parameter names are "policy.…" and "v_head.…".
/// </summary>
public sealed class PolicyWithValueHead : nn.Module
{
    private readonly CausalLanguageModel policy;
    private readonly Linear v_head;

    /// <summary>Wraps <paramref name="policy"/> (disposed with this module) with a new value head drawn from <paramref name="seed"/>'s generator.</summary>
    public PolicyWithValueHead(CausalLanguageModel policy, long seed) : base(nameof(PolicyWithValueHead))
    {
        this.policy = policy;
        int hidden = policy.Config.HiddenSize;
        v_head = nn.Linear(hidden, 1, hasBias: true, device: policy.Device, dtype: ScalarType.Float32);
        using (no_grad())
        using (var generator = new Generator((ulong)seed, CPU))
        {
            // OpenRLHF's value head initialisation: small weights, so early values are near 0. Drawn on the CPU (a
            // torch Generator is CPU-only in TorchSharp), then copied, so the head is the same on every device.
            using var drawn = empty(v_head.weight!.shape, ScalarType.Float32, CPU).normal_(0, 1.0 / (hidden + 1), generator);
            v_head.weight!.copy_(drawn);
            v_head.bias!.zero_();
        }
        RegisterComponents();
    }

    public CausalLanguageModel Policy => policy;

    public Linear ValueHead => v_head;

    /// <summary>Policy log-probs, temperature-scaled logits and values per action (see <see cref="TokenOutputs"/>).</summary>
    public TokenOutputs Forward(Tensor inputIds, Tensor attentionMask, double temperature) =>
        TokenOutputs.Compute(policy, v_head, inputIds, attentionMask, temperature);
}
