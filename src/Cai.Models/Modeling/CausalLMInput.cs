using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>Inputs of a causal LM forward pass (Hugging Face names where Hugging Face has them).</summary>
/// <param name="InputIds">[batch, seq] int64 token ids.</param>
/// <param name="AttentionMask">
/// [batch, past + seq] 1 for real tokens, 0 for padding; null means all real. A mask given is applied as given (no
/// check on the host), so pass null when nothing is padded to get the causal fast path.
/// </param>
/// <param name="PositionIds">[batch, seq] int64 positions; null derives them from the mask and the cache length (or from <paramref name="CacheLengths"/>).</param>
/// <param name="PastKeyValues">Preallocated KV cache to read and extend in place; null disables caching.</param>
/// <param name="LogitsToKeep">Compute logits for only the last n positions (0: all), as Hugging Face's logits_to_keep.</param>
/// <param name="CacheLengths">
/// [batch] int64 on the device: positions already in each row of <paramref name="PastKeyValues"/> (a ragged cache, as in
/// continuous batching). Row b's new tokens are written at positions CacheLengths[b].. of its row and attend to that
/// row's keys up to their own positions; PositionIds default to CacheLengths[b] + t. Null: every row holds the cache's
/// Length positions. Needs <paramref name="PastKeyValues"/> and no <paramref name="AttentionMask"/>.
/// </param>
/// <param name="KeyLength">
/// With <paramref name="CacheLengths"/>: cache positions attention reads, at least max(CacheLengths) + seq (known to the
/// caller, so no read from the device is needed); 0 reads the whole cache.
/// </param>
public sealed record CausalLMInput(
    Tensor InputIds,
    Tensor? AttentionMask = null,
    Tensor? PositionIds = null,
    KeyValueCache? PastKeyValues = null,
    int LogitsToKeep = 0,
    Tensor? CacheLengths = null,
    int KeyLength = 0);
