using Cai.Abstractions.Text;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>A scored rollout batch; per-action tensors are [batch, seq − 1] and 0 outside the action mask. No gradients.</summary>
/// <param name="Sequences">Prompt + response ids, masks.</param>
/// <param name="Logprobs">log π_old of the sampled tokens.</param>
/// <param name="ReferenceLogprobs">log π_ref of the sampled tokens.</param>
/// <param name="Values">Value head outputs at rollout time.</param>
/// <param name="Scores">Reward function score per response, [batch].</param>
/// <param name="Entropy">Mean per-token entropy of the policy over the response tokens.</param>
/// <param name="ResponseLength">Mean response length in tokens (eos and stop-string tokens included).</param>
/// <param name="Responses">The response texts.</param>
public sealed record Rollout(SequenceBatch Sequences, Tensor Logprobs, Tensor ReferenceLogprobs, Tensor Values, Tensor Scores,
    double Entropy, double ResponseLength, IReadOnlyList<string> Responses);

/// <summary>Prompt + response rows right-padded into tensors, with the action mask of the responses.</summary>
/// <param name="InputIds">[batch, seq] int64.</param>
/// <param name="AttentionMask">[batch, seq] int64, 1 at real tokens.</param>
/// <param name="ActionMask">[batch, seq − 1] float32, 1 where token t + 1 is a response token (aligned with
/// <see cref="TokenOutputs"/>).</param>
public sealed record SequenceBatch(Tensor InputIds, Tensor AttentionMask, Tensor ActionMask)
{
    public static SequenceBatch Pad(
        IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, int padId, Device device)
    {
        int rows = prompts.Count;
        int length = Enumerable.Range(0, rows).Max(r => prompts[r].Count + responses[r].Count);
        var ids = new long[rows * length];
        var attention = new long[rows * length];
        var actions = new float[rows * (length - 1)];
        Array.Fill(ids, padId);
        for (int r = 0; r < rows; r++)
        {
            int t = 0;
            foreach (int id in prompts[r].Concat(responses[r]))
            {
                ids[r * length + t] = id;
                attention[r * length + t] = 1;
                if (t >= prompts[r].Count) actions[r * (length - 1) + t - 1] = 1;
                t++;
            }
        }
        return new SequenceBatch(tensor(ids, [rows, length], device: device), tensor(attention, [rows, length], device: device),
            tensor(actions, [rows, length - 1], device: device));
    }
}

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
            MaxNewTokens = options.MaxNewTokens,
            Temperature = (float)options.Temperature,
            Seed = seed,
            StopStrings = tokenizer.ChatFormat.StopStrings,
            BatchSize = prompts.Count,
        };
        var responses = new TokenGenerator(model.Policy, tokenizer)
            .Generate(prompts.Select(p => p.Ids).ToList(), generation, cancellationToken).Select(s => s[0]).ToList();
        var texts = responses.Select(r => r.Text ?? "").ToList();
        var scores = reward.Score(prompts.Select((p, i) => (p.Text, texts[i])).ToList());
        if (scores.Count != prompts.Count)
            throw new InvalidOperationException($"the reward function gave {scores.Count} scores for {prompts.Count} responses");

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = SequenceBatch.Pad(
            prompts.Select(p => p.Ids).ToList(), responses.Select(r => r.TokenIds).ToList(), _pad, model.Policy.Device);
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
