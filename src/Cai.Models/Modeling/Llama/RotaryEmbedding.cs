using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

/// <summary>
/// Rotary position embeddings (LlamaRotaryEmbedding): each pair (x_i, x_{i+d/2}) of a head is rotated by
/// position * inv_freq[i], Hugging Face's rotate-half convention. Has no weights. The cos/sin of every position are
/// computed once per model, device and dtype (<see cref="Table"/>, in float32 on the CPU, then converted) and looked
/// up by position ids at each forward pass.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>
    /// inv_freq, [head_dim / 2] float32 on the CPU: theta^(-2i/d) for the "default" rope type. The one place that turns
    /// a config into inverse frequencies.
    /// </summary>
    public static Tensor InverseFrequencies(ModelConfig config)
    {
        using var scope = NewDisposeScope();
        int headDim = config.HeadDim;
        var exponents = arange(0, headDim, 2, dtype: ScalarType.Int64).to(ScalarType.Float32) / headDim;
        return (1.0f / pow(tensor(config.RopeTheta, ScalarType.Float32), exponents)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [max_position_embeddings, 2 * head_dim] in <paramref name="dtype"/> on <paramref name="device"/>: cos of every
    /// position's angles, then their sin with the first half negated (so that rotate_half(x) * sin is
    /// swap_halves(x) * signed sin, one operation fewer).
    /// </summary>
    public static Tensor Table(ModelConfig config, Device device, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var invFreq = InverseFrequencies(config);                                                       // [d/2]
        var positions = arange(config.MaxPositionEmbeddings, dtype: ScalarType.Int64).to(ScalarType.Float32);
        var freqs = positions.unsqueeze(-1) * invFreq.unsqueeze(0);                                       // [p, d/2]
        var emb = cat([freqs, freqs], -1);                                                                // [p, d]
        var sin = emb.sin();
        long half = invFreq.shape[0];
        var signedSin = cat([-sin.narrow(-1, 0, half), sin.narrow(-1, half, half)], -1);
        return cat([emb.cos(), signedSin], -1).to(dtype).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>cos and signed sin for <paramref name="positionIds"/> [batch, seq]: [batch, seq, 1, head_dim] each (views of one lookup).</summary>
    public static (Tensor Cos, Tensor Sin) Lookup(Tensor table, Tensor positionIds)
    {
        long batch = positionIds.shape[0], seq = positionIds.shape[1], headDim = table.shape[1] / 2;
        var rows = table.index_select(0, positionIds.reshape(-1)).view(batch, seq, 1, 2 * headDim);
        return (rows.narrow(-1, 0, headDim), rows.narrow(-1, headDim, headDim));
    }

    /// <summary>x * cos + rotate_half(x) * sin for x of [batch, seq, heads, head_dim], with <see cref="Lookup"/>'s cos and signed sin.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var swapped = cat([x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return (x * cos).addcmul_(swapped, signedSin, 1).MoveToOuterDisposeScope();
    }
}
