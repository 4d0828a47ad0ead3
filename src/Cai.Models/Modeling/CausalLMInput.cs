using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>Inputs of a causal LM forward pass (Hugging Face names).</summary>
/// <param name="InputIds">[batch, seq] int64 token ids.</param>
/// <param name="AttentionMask">[batch, past + seq] 1 for real tokens, 0 for padding; null means all real.</param>
/// <param name="PositionIds">[batch, seq] int64 positions; null derives them from the mask and the cache length.</param>
/// <param name="PastKeyValues">Preallocated KV cache to read and extend in place; null disables caching.</param>
/// <param name="LogitsToKeep">Compute logits for only the last n positions (0: all), as Hugging Face's logits_to_keep.</param>
public sealed record CausalLMInput(
    Tensor InputIds,
    Tensor? AttentionMask = null,
    Tensor? PositionIds = null,
    KeyValueCache? PastKeyValues = null,
    int LogitsToKeep = 0);
