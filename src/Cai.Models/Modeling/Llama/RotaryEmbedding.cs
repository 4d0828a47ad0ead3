using static TorchSharp.torch;

namespace Cai.Models.Modeling.Llama;

/// <summary>
/// Rotary position embeddings (LlamaRotaryEmbedding, "default" rope type): each pair (x_i, x_{i+d/2}) of a head is
/// rotated by position * theta^(-2i/d). Uses Hugging Face's rotate-half convention. Has no weights: the inverse
/// frequencies are recomputed per pass in float32 (d/2 numbers), so they never lose precision to a dtype conversion.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>cos and sin of the angles, [batch, 1, seq, head_dim], in <paramref name="dtype"/>.</summary>
    public static (Tensor Cos, Tensor Sin) Angles(Tensor positionIds, int headDim, double theta, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var device = positionIds.device;
        var exponents = arange(0, headDim, 2, dtype: ScalarType.Int64, device: device).to(ScalarType.Float32) / headDim;
        var invFreq = 1.0f / pow(tensor(theta, ScalarType.Float32, device), exponents);               // [d/2]
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * invFreq.unsqueeze(0).unsqueeze(0); // [b, s, d/2]
        var emb = cat([freqs, freqs], -1).unsqueeze(1);                                                  // [b, 1, s, d]
        return (emb.cos().to(dtype).MoveToOuterDisposeScope(), emb.sin().to(dtype).MoveToOuterDisposeScope());
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
