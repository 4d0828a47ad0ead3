using Cai.Models.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Cai.Plugins.Training.Ppo;

/// <summary>
/// The trained module: the policy plus a scalar value head on its last hidden state (a shared backbone, as TRL's
/// AutoModelForCausalLMWithValueHead). Parameter names are "policy.…" and "v_head.…".
/// </summary>
public sealed class PolicyWithValueHead : nn.Module
{
    // Module fields are named as their weights ("policy.…", "v_head.…"): RegisterComponents takes the field names.
    private readonly CausalLanguageModel policy;
    private readonly Linear v_head;

    /// <summary>Wraps <paramref name="policy"/> (disposed with this module) with a new value head drawn from
    /// <paramref name="seed"/>'s generator.</summary>
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

/// <summary>
/// What one forward pass over prompt + response gives PPO, per action: index t of every tensor is about token t + 1
/// (predicted from positions ≤ t), so all are [batch, seq − 1]. One pass yields both the log-probs and the hidden state
/// for the value head, which is why this does not call LogProbs.OfContinuations (a pass of its own).
/// </summary>
/// <param name="Logits">Next-token logits divided by the sampling temperature, [batch, seq − 1, vocab].</param>
/// <param name="Logprobs">log π(token t + 1 | ..t), [batch, seq − 1].</param>
/// <param name="Values">Value head output at position t, the value of the state before token t + 1; null without a head.</param>
public sealed record TokenOutputs(Tensor Logits, Tensor Logprobs, Tensor? Values)
{
    /// <summary>Runs <paramref name="model"/> (and <paramref name="valueHead"/>, when given) on right-padded sequences.</summary>
    public static TokenOutputs Compute(
        CausalLanguageModel model, Linear? valueHead, Tensor inputIds, Tensor attentionMask, double temperature)
    {
        using var scope = NewDisposeScope();
        long seq = inputIds.shape[1];
        var output = model.forward(new CausalLMInput(inputIds, attentionMask));
        var logits = output.Logits.narrow(1, 0, seq - 1).to(ScalarType.Float32) / temperature;
        var targets = inputIds.narrow(1, 1, seq - 1).unsqueeze(-1);
        var logprobs = log_softmax(logits, -1).gather(-1, targets).squeeze(-1);
        var values = valueHead?.forward(output.LastHiddenState.narrow(1, 0, seq - 1).to(ScalarType.Float32)).squeeze(-1);
        return new TokenOutputs(logits.MoveToOuterDisposeScope(), logprobs.MoveToOuterDisposeScope(), values?.MoveToOuterDisposeScope());
    }
}
