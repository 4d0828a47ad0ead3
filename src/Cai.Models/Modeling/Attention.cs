using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>Scaled dot-product attention over [batch, heads, seq, head_dim] tensors, with grouped-query expansion.</summary>
internal static class Attention
{
    /// <summary>
    /// softmax(q k^T / sqrt(d) + mask) v. Keys and values with fewer heads than the queries (grouped-query attention)
    /// are shared by groups of query heads: a single decoding position folds each group into one key/value head's
    /// rows (no copy of the cache); longer inputs repeat keys and values to match, as Hugging Face's repeat_kv.
    /// </summary>
    public static Tensor Compute(Tensor query, Tensor key, Tensor value, AttentionContext context)
    {
        long heads = query.shape[1], kvHeads = key.shape[1];
        if (heads != kvHeads && query.shape[2] == 1)
        {
            long batch = query.shape[0], dim = query.shape[3];
            var grouped = query.reshape(batch, kvHeads, heads / kvHeads, dim);   // query head h -> kv head h / groups
            var output = nn.functional.scaled_dot_product_attention(grouped, key, value, context.Mask);
            return output.reshape(batch, heads, 1, dim);
        }
        if (heads != kvHeads)
        {
            key = RepeatKv(key, heads / kvHeads);
            value = RepeatKv(value, heads / kvHeads);
        }
        return nn.functional.scaled_dot_product_attention(query, key, value, context.Mask, is_casual: context.IsCausal);
    }

    private static Tensor RepeatKv(Tensor x, long groups)
    {
        long b = x.shape[0], h = x.shape[1], s = x.shape[2], d = x.shape[3];
        return x.unsqueeze(2).expand(b, h, groups, s, d).reshape(b, h * groups, s, d);
    }
}
