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
