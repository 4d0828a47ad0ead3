using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

/// <summary>
/// Rotary position embeddings (LlamaRotaryEmbedding): each pair (x_i, x_{i+d/2}) of a head is rotated by
/// position * inv_freq[i], Hugging Face's rotate-half convention. Has no weights. The cos/sin of every position are
/// computed once per model, device and dtype (<see cref="Table"/>, in float32 on the CPU, then converted) and looked
/// up by position ids at each forward pass; dynamic scaling, whose frequencies depend on the pass's length, computes
/// them per pass instead (<see cref="DynamicLookup"/>).
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>
    /// inv_freq, [head_dim / 2] float32, as transformers' rope init functions compute it: theta^(-2i/d), then
    /// <see cref="ModelConfig.RopeScaling"/>. <paramref name="sequenceLength"/> (a scalar: the longest position + 1 of a
    /// pass) matters for dynamic scaling only, once it exceeds max_position_embeddings; the result is on its device
    /// (the CPU without it). The one place that turns a config into inverse frequencies.
    /// </summary>
    public static Tensor InverseFrequencies(ModelConfig config, Tensor? sequenceLength = null)
    {
        using var scope = NewDisposeScope();
        int dim = config.HeadDim;
        var device = sequenceLength?.device ?? CPU;
        var exponents = arange(0, dim, 2, dtype: ScalarType.Int64, device: device).to(ScalarType.Float32) / dim;
        var theta = tensor(config.RopeTheta, ScalarType.Float32, device);
        var scaling = config.RopeScaling;
        float factor = (float)(scaling?.Factor ?? 1);
        Tensor invFreq;
        switch (scaling?.Type)
        {
            case RopeScaling.Linear:
                invFreq = 1.0f / pow(theta, exponents) / factor;
                break;
            case RopeScaling.Dynamic:
                // base * (factor * seq / max - (factor - 1)) ^ (d / (d - 2)), with seq at least max_position_embeddings.
                float max = config.MaxPositionEmbeddings;
                var seq = sequenceLength is null ? tensor(max, ScalarType.Float32, device) : sequenceLength.to(ScalarType.Float32).clamp_min(max);
                var growth = (seq * factor / max - (factor - 1)).pow(dim / (dim - 2.0));
                invFreq = 1.0f / pow(theta * growth, exponents);
                break;
            case RopeScaling.Llama3:
                invFreq = Llama3(1.0f / pow(theta, exponents), scaling!);
                break;
            default:
                invFreq = 1.0f / pow(theta, exponents);
                break;
        }
        return invFreq.MoveToOuterDisposeScope();
    }

    // Wavelengths longer than original / low_freq_factor are divided by the factor, shorter than original /
    // high_freq_factor kept, and the band between interpolated smoothly (transformers' _compute_llama3_parameters).
    private static Tensor Llama3(Tensor invFreq, RopeScaling s)
    {
        double original = s.OriginalMaxPositionEmbeddings, factor = s.Factor;
        double lowFreqWavelength = original / s.LowFreqFactor, highFreqWavelength = original / s.HighFreqFactor;
        var wavelength = 2 * Math.PI / invFreq;
        var scaled = where(wavelength > lowFreqWavelength, invFreq / factor, invFreq);
        var smooth = (original / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        var smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
        var medium = (wavelength >= highFreqWavelength).logical_and(wavelength <= lowFreqWavelength);
        return where(medium, smoothed, scaled);
    }

    /// <summary>
    /// [ModelConfig.ContextLength, 2 * head_dim] in <paramref name="dtype"/> on <paramref name="device"/>: cos of every
    /// position's angles, then their sin with the first half negated (so that rotate_half(x) * sin is
    /// swap_halves(x) * signed sin, one operation fewer).
    /// </summary>
    public static Tensor Table(ModelConfig config, Device device, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var positions = arange(config.ContextLength, dtype: ScalarType.Int64).to(ScalarType.Float32);
        return CosAndSignedSin(positions.unsqueeze(-1) * InverseFrequencies(config).unsqueeze(0)).to(dtype).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// cos and signed sin as <see cref="Lookup"/> gives them, for dynamic (NTK) scaling: inv_freq from the pass's longest
    /// position + 1, as transformers does (computed on the device: no read back to the host).
    /// </summary>
    public static (Tensor Cos, Tensor Sin) DynamicLookup(ModelConfig config, Tensor positionIds, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        long batch = positionIds.shape[0], seq = positionIds.shape[1], headDim = config.HeadDim;
        var invFreq = InverseFrequencies(config, positionIds.max() + 1);                                          // [d/2]
        var rows = CosAndSignedSin(positionIds.to(ScalarType.Float32).reshape(-1, 1) * invFreq.unsqueeze(0)).to(dtype)
            .view(batch, seq, 1, 2 * headDim);
        return (rows.narrow(-1, 0, headDim).MoveToOuterDisposeScope(), rows.narrow(-1, headDim, headDim).MoveToOuterDisposeScope());
    }

    // [p, d/2] angles -> [p, 2d]: cos of [angles, angles], then their sin with the first half negated.
    private static Tensor CosAndSignedSin(Tensor freqs)
    {
        var emb = cat([freqs, freqs], -1);
        var sin = emb.sin();
        long half = freqs.shape[^1];
        return cat([emb.cos(), -sin.narrow(-1, 0, half), sin.narrow(-1, half, half)], -1);
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
