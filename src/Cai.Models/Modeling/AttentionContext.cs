using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// What every attention layer of one forward pass shares: the mask, the positions' rotary angles and the cache.
/// Built once per forward pass by <see cref="Create"/>, with no read from the device.
/// </summary>
/// <param name="Mask">
/// [batch, 1, seq, keys]: boolean, true where a query may attend a key, or (ragged cache) additive, 0 or -inf; null
/// means causal only.
/// </param>
/// <param name="IsCausal">True when <paramref name="Mask"/> is null and the causal triangle must still be applied.</param>
/// <param name="PositionIds">[batch, seq] int64 positions.</param>
/// <param name="Cache">The KV cache to extend, or null.</param>
public sealed record AttentionContext(Tensor? Mask, bool IsCausal, Tensor PositionIds, KeyValueCache? Cache)
{
    /// <summary>Rotary cos, [batch, seq, 1, head_dim] (Llama family only; set by the model).</summary>
    public Tensor? Cos { get; init; }

    /// <summary>Rotary sin with the rotate-half sign folded in, [batch, seq, 1, head_dim] (see <see cref="Llama.RotaryEmbedding"/>).</summary>
    public Tensor? Sin { get; init; }

    /// <summary>With a ragged cache: [batch, kv_heads, seq, head_dim] int64, the cache position of every new key and value.</summary>
    public Tensor? CacheWritePositions { get; init; }

    /// <summary>With a ragged cache: cache positions attention reads.</summary>
    public long KeyLength { get; init; }

    /// <summary>
    /// Positions and mask for <paramref name="input"/>. Positions come from the attention mask (count of real tokens
    /// before each one, so left padding does not shift them) unless given. Every query also sees itself, so padding
    /// rows never attend to nothing (their outputs are ignored). A given mask is always applied (the caller passes
    /// null when nothing is padded). With <see cref="CausalLMInput.CacheLengths"/>, each row writes and attends at its
    /// own cache positions.
    /// </summary>
    public static AttentionContext Create(CausalLMInput input, ModelConfig config)
    {
        var ids = input.InputIds;
        if (ids.dim() != 2) throw new ArgumentException($"input_ids must be [batch, seq], not [{string.Join(", ", ids.shape)}].");
        if (input.CacheLengths is not null) return Ragged(input, config);
        int maxPositions = config.ContextLength;
        long batch = ids.shape[0], seq = ids.shape[1];
        long past = input.PastKeyValues?.Length ?? 0;
        long total = past + seq;
        if (total > maxPositions)
            throw new ArgumentException($"The sequence needs {total} positions; the model has {maxPositions} (ModelConfig.ContextLength).");
        var device = ids.device;
        var mask = input.AttentionMask;
        if (mask is not null && (mask.dim() != 2 || mask.shape[0] != batch || mask.shape[1] != total))
            throw new ArgumentException(
                $"attention_mask must be [batch {batch}, past {past} + seq {seq}], not [{string.Join(", ", mask.shape)}].");

        Tensor positions;
        if (input.PositionIds is not null) positions = input.PositionIds;
        else if (mask is not null) positions = (mask.to(ScalarType.Int64).cumsum(-1) - 1).clamp_min(0).narrow(1, past, seq);
        else positions = arange(past, total, dtype: ScalarType.Int64, device: device).unsqueeze(0).expand(batch, seq);

        if (mask is null)
        {
            if (past == 0) return new AttentionContext(null, IsCausal: seq > 1, positions, input.PastKeyValues);
            var triangle4d = seq > 1 ? CausalTriangle(past, seq, device).unsqueeze(0).unsqueeze(0) : null;
            return new AttentionContext(triangle4d, false, positions, input.PastKeyValues);
        }

        var allowed = mask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1); // [batch, 1, 1, total]
        var triangle = CausalTriangle(past, seq, device);                   // [seq, total]
        var diagonal = arange(total, device: device).unsqueeze(0) == arange(past, total, device: device).unsqueeze(1);
        return new AttentionContext(allowed.logical_and(triangle).logical_or(diagonal), false, positions, input.PastKeyValues);
    }

    /// <summary>
    /// The keys and values a layer attends to: its new ones alone without a cache, else the cache's after writing the
    /// new ones (after the shared length, or at each row's own positions with a ragged cache).
    /// </summary>
    public (Tensor Keys, Tensor Values) Extend(int layer, Tensor keys, Tensor values)
    {
        if (Cache is null) return (keys, values);
        return CacheWritePositions is null
            ? Cache.Update(layer, keys, values)
            : Cache.Write(layer, keys, values, CacheWritePositions, KeyLength);
    }

    /// <summary>Row b's token t sits at cache position CacheLengths[b] + t and sees its row's keys up to there.</summary>
    private static AttentionContext Ragged(CausalLMInput input, ModelConfig config)
    {
        var cache = input.PastKeyValues ?? throw new ArgumentException("cache_lengths needs past_key_values.");
        if (input.AttentionMask is not null) throw new ArgumentException("cache_lengths replaces attention_mask: give one or the other.");
        var ids = input.InputIds;
        long batch = ids.shape[0], seq = ids.shape[1];
        long keyLength = input.KeyLength > 0 ? input.KeyLength : cache.MaxLength;
        if (keyLength > config.ContextLength)
            throw new ArgumentException($"The sequences need {keyLength} positions; the model has {config.ContextLength} (ModelConfig.ContextLength).");
        var device = ids.device;
        var lengths = input.CacheLengths!.unsqueeze(1);                                                // [b, 1]
        var slots = seq == 1 ? lengths : lengths + arange(seq, dtype: ScalarType.Int64, device: device); // [b, s]
        // An additive mask in the cache's dtype, built once here rather than converted from booleans in every layer.
        var hidden = arange(keyLength, dtype: ScalarType.Int64, device: device) > slots.view(batch, 1, seq, 1);   // [b, 1, s, keys]
        var mask = zeros([batch, 1, seq, keyLength], cache.DType, device).masked_fill_(hidden, double.NegativeInfinity);
        var writes = slots.view(batch, 1, seq, 1).expand(batch, config.NumKeyValueHeads, seq, config.HeadDim);
        return new AttentionContext(mask, false, input.PositionIds ?? slots, cache)
        {
            CacheWritePositions = writes,
            KeyLength = keyLength,
        };
    }

    /// <summary>[seq, past + seq] boolean: query i (at position past + i) sees keys 0..past + i.</summary>
    private static Tensor CausalTriangle(long past, long seq, Device device) =>
        arange(past + seq, device: device).unsqueeze(0) <= arange(past, past + seq, device: device).unsqueeze(1);
}
