using Cai.Models.Modeling.Gpt2;
using Cai.Models.Modeling.Llama;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// A reward model in Hugging Face's *ForSequenceClassification shape with one label: the transformer trunk (weights
/// under <c>model.*</c>, or <c>transformer.*</c> for GPT-2) and <c>score</c>, a bias-free Linear(hidden, 1). The
/// reward of a sequence is the score of the hidden state at its last real token (last 1 of the attention mask).
/// </summary>
public sealed partial class RewardModel : nn.Module<CausalLMInput, Tensor>
{
    private readonly nn.Module<Tensor, AttentionContext, Tensor> _backbone;
    private readonly Linear _score;

    /// <summary>A reward model with a random trunk (Hugging Face's init) and <see cref="InitializeScore"/>'s head.</summary>
    public RewardModel(ModelConfig config) : base(nameof(RewardModel))
    {
        Config = config;
        _backbone = config.Architecture == ModelArchitecture.Gpt2 ? new Gpt2Model(config) : new LlamaModel(config);
        _score = nn.Linear(config.HiddenSize, 1, hasBias: false);
        register_module(BackbonePrefix, _backbone);
        register_module("score", _score);
        using (no_grad())
            foreach (var (name, p) in _backbone.named_parameters())
            {
                if (name.Contains("norm") || name.Contains("ln_")) p.fill_(name.EndsWith(".bias", StringComparison.Ordinal) || config.IsGemma ? 0.0 : 1.0);
                else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
                else p.normal_(0, 0.02);
            }
        InitializeScore();
    }

    /// <summary>The trunk's config (config.json minus the classification keys).</summary>
    public ModelConfig Config { get; }

    /// <summary>Name prefix of the trunk's weights: "model" (Llama family) or "transformer" (GPT-2), as Hugging Face.</summary>
    public string BackbonePrefix => Config.Architecture == ModelArchitecture.Gpt2 ? "transformer" : "model";

    /// <summary>The Hugging Face architectures name: LlamaForSequenceClassification, GPT2ForSequenceClassification, ...</summary>
    public string ArchitectureName => Config.ArchitectureName.Replace("LMHeadModel", "ForSequenceClassification").Replace("ForCausalLM", "ForSequenceClassification");

    /// <summary>The device of the parameters.</summary>
    public Device Device => parameters().First().device;

    /// <summary>The floating-point type of the parameters.</summary>
    public ScalarType DType => parameters().First().dtype;

    /// <summary>
    /// score ~ N(0, 1/√(hidden + 1)), as the reward heads of OpenAI's lm-human-preferences and TRL: small enough that
    /// initial rewards are near 0, large enough that the trunk gets gradients from the first step (zeros would not).
    /// </summary>
    /// <param name="generator">The random source (a CPU generator: the values are drawn on the CPU, then copied to
    /// the head's device, so they are the same on every device); null draws from torch's global CPU generator.</param>
    public void InitializeScore(Generator? generator = null)
    {
        using var _ = no_grad();
        var weight = _score.weight!;
        using var drawn = empty(weight.shape, weight.dtype, CPU).normal_(0, 1.0 / Math.Sqrt(Config.HiddenSize + 1), generator);
        weight.copy_(drawn);
    }

    /// <summary>
    /// A reward model whose trunk is a copy of <paramref name="policy"/>'s (its LM head is dropped), on the policy's
    /// device and dtype, with a fresh score head: drawn from its own generator seeded by <paramref name="seed"/>, or from
    /// torch's global generator when no seed is given.
    /// </summary>
    public static RewardModel FromPolicy(CausalLanguageModel policy, long? seed = null)
    {
        var rewardModel = new RewardModel(policy.Config);
        rewardModel.to(policy.Device, policy.DType);
        var source = policy.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var (name, p) in rewardModel.named_parameters())
        {
            if (name.StartsWith("score.", StringComparison.Ordinal)) continue;
            if (!source.TryGetValue(name, out var weight))
                throw new ArgumentException($"The policy has no {name}; cannot initialise the reward model's trunk from it.", nameof(policy));
            p.copy_(weight);
        }
        if (seed is { } value)
        {
            using var generator = new Generator((ulong)value, CPU);
            rewardModel.InitializeScore(generator);
        }
        return rewardModel;
    }

    /// <summary>Rewards, [batch] float32: the score of the hidden state at each row's last real token.</summary>
    public override Tensor forward(CausalLMInput input)
    {
        using var scope = NewDisposeScope();
        var context = AttentionContext.Create(input, Config);
        var hidden = _backbone.forward(input.InputIds, context);                      // [b, s, h]
        long batch = hidden.shape[0], seq = hidden.shape[1];
        var last = input.AttentionMask is null
            ? full(batch, seq - 1, dtype: ScalarType.Int64, device: hidden.device)
            : (input.AttentionMask.to(ScalarType.Int64) * arange(1, seq + 1, device: hidden.device)).amax(-1) - 1;
        var pooled = hidden.gather(1, last.clamp_min(0).view(batch, 1, 1).expand(batch, 1, hidden.shape[2])).squeeze(1);
        return _score.forward(pooled).squeeze(-1).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
