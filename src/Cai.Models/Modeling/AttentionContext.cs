using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// What every attention layer of one forward pass shares: the mask, the positions' rotary angles and the cache.
/// Built once per forward pass by <see cref="Create"/>.
/// </summary>
/// <param name="Mask">[batch, 1, seq, past + seq] boolean, true where a query may attend a key; null means causal only.</param>
/// <param name="IsCausal">True when <paramref name="Mask"/> is null and the causal triangle must still be applied.</param>
/// <param name="PositionIds">[batch, seq] int64 positions.</param>
/// <param name="Cache">The KV cache to extend, or null.</param>
public sealed record AttentionContext(Tensor? Mask, bool IsCausal, Tensor PositionIds, KeyValueCache? Cache)
{
    /// <summary>Rotary cos, [batch, 1, seq, head_dim] (Llama family only).</summary>
    public Tensor? Cos { get; init; }

    /// <summary>Rotary sin, [batch, 1, seq, head_dim] (Llama family only).</summary>
    public Tensor? Sin { get; init; }

    /// <summary>
    /// Positions and mask for <paramref name="input"/>. Positions come from the attention mask (count of real tokens
    /// before each one, so left padding does not shift them) unless given. Every query also sees itself, so padding
    /// rows never attend to nothing (their outputs are ignored).
    /// </summary>
    public static AttentionContext Create(CausalLMInput input, int maxPositions)
    {
        var ids = input.InputIds;
        if (ids.dim() != 2) throw new ArgumentException($"input_ids must be [batch, seq], not [{string.Join(", ", ids.shape)}].");
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

        // A mask without padding is no mask: the causal fast path of scaled_dot_product_attention applies.
        if (mask is not null && mask.all().item<bool>()) mask = null;

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

    /// <summary>[seq, past + seq] boolean: query i (at position past + i) sees keys 0..past + i.</summary>
    private static Tensor CausalTriangle(long past, long seq, Device device) =>
        arange(past + seq, device: device).unsqueeze(0) <= arange(past, past + seq, device: device).unsqueeze(1);
}
