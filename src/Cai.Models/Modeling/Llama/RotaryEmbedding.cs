using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

/// <summary>
/// Rotary position embeddings (LlamaRotaryEmbedding): each pair (x_i, x_{i+d/2}) of a head is rotated by
/// position * inv_freq[i]. Uses Hugging Face's rotate-half convention. Has no weights: the inverse frequencies are
/// recomputed per pass in float32 (d/2 numbers), so they never lose precision to a dtype conversion.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>cos and sin of the angles, [batch, 1, seq, head_dim], in <paramref name="dtype"/>.</summary>
    public static (Tensor Cos, Tensor Sin) Angles(Tensor positionIds, ModelConfig config, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        // Dynamic scaling depends on the longest sequence of the pass (transformers: max(position_ids) + 1).
        long sequenceLength = config.RopeScaling?.Type == RopeScaling.Dynamic ? positionIds.max().item<long>() + 1 : 0;
        var invFreq = InverseFrequencies(config, sequenceLength).to(positionIds.device);                  // [d/2]
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * invFreq.unsqueeze(0).unsqueeze(0); // [b, s, d/2]
        var emb = cat([freqs, freqs], -1).unsqueeze(1);                                                  // [b, 1, s, d]
        return (emb.cos().to(dtype).MoveToOuterDisposeScope(), emb.sin().to(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// inv_freq, [head_dim / 2] float32 on the CPU, as transformers' rope init functions compute it: theta^(-2i/d),
    /// then <see cref="ModelConfig.RopeScaling"/>. <paramref name="sequenceLength"/> (the longest position + 1 of a pass)
    /// matters for dynamic scaling only, once it exceeds max_position_embeddings. The one place that turns a config
    /// into inverse frequencies.
    /// </summary>
    public static Tensor InverseFrequencies(ModelConfig config, long sequenceLength = 0)
    {
        using var scope = NewDisposeScope();
        int dim = config.HeadDim;
        var exponents = arange(0, dim, 2, dtype: ScalarType.Int64).to(ScalarType.Float32) / dim;
        var theta = tensor(config.RopeTheta, ScalarType.Float32);
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
                float max = config.MaxPositionEmbeddings, seq = Math.Max(sequenceLength, config.MaxPositionEmbeddings);
                var growth = (tensor(seq, ScalarType.Float32) * factor / max - (factor - 1)).pow(dim / (dim - 2.0));
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

    /// <summary>x * cos + rotate_half(x) * sin for x of [batch, heads, seq, head_dim].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
