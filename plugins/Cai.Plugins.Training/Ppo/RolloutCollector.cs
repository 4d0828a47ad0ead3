using Cai.Abstractions.Text;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>
/// Samples one response per prompt from the policy (batched KV-cache generation, stopping at eos or the chat format's
/// stop strings), scores it with the reward function and records old log-probs, reference log-probs and values.
/// The returned tensors belong to the caller's dispose scope.
/// </summary>
public sealed class RolloutCollector(PolicyWithValueHead model, CausalLanguageModel reference, TextTokenizer tokenizer,
    IRewardFunction reward, PpoOptions options)
{
    private readonly int _pad = tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0;

    public Rollout Collect(IReadOnlyList<(string Text, IReadOnlyList<int> Ids)> prompts, int seed, CancellationToken cancellationToken)
    {
        model.Policy.eval();
        var generation = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens, Temperature = (float)options.Temperature, Seed = seed,
            StopStrings = tokenizer.ChatFormat.StopStrings, BatchSize = prompts.Count,
        };
        var responses = new TokenGenerator(model.Policy, tokenizer)
            .Generate(prompts.Select(p => p.Ids).ToList(), generation, cancellationToken).Select(s => s[0]).ToList();
        var texts = responses.Select(r => r.Text ?? "").ToList();
        var scores = reward.Score(prompts.Select((p, i) => (p.Text, texts[i])).ToList());
        if (scores.Count != prompts.Count) throw new InvalidOperationException($"the reward function gave {scores.Count} scores for {prompts.Count} responses");

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = SequenceBatch.Pad(prompts.Select(p => p.Ids).ToList(), responses.Select(r => r.TokenIds).ToList(), _pad, model.Policy.Device);
        var policy = model.Forward(batch.InputIds, batch.AttentionMask, options.Temperature);
        var referenceOutputs = TokenOutputs.Compute(reference, null, batch.InputIds, batch.AttentionMask, options.Temperature);
        double entropy = TokenEntropy.MaskedMean(policy.Logits, batch.ActionMask).item<float>();
        var rollout = new Rollout(batch,
            (policy.Logprobs * batch.ActionMask).MoveToOuterDisposeScope(),
            (referenceOutputs.Logprobs * batch.ActionMask).MoveToOuterDisposeScope(),
            (policy.Values! * batch.ActionMask).MoveToOuterDisposeScope(),
            tensor(scores.Select(s => (float)s).ToArray(), device: model.Policy.Device).MoveToOuterDisposeScope(),
            entropy, responses.Average(r => r.TokenIds.Count), texts);
        batch.InputIds.MoveToOuterDisposeScope();
        batch.AttentionMask.MoveToOuterDisposeScope();
        batch.ActionMask.MoveToOuterDisposeScope();
        return rollout;
    }
}
