using Cai.Abstractions.Text;
using static TorchSharp.torch;

namespace Cai.Models.Generation;

/// <summary>Picks next tokens from logits: greedy at temperature 0, else temperature, top-k and top-p sampling.</summary>
public static class Sampler
{
    /// <summary>Next token ids, [batch] int64, for logits [batch, vocab].</summary>
    public static Tensor Next(Tensor logits, GenerationOptions options, Generator? generator)
    {
        using var scope = NewDisposeScope();
        if (options.Temperature <= 0) return logits.argmax(-1).MoveToOuterDisposeScope();
        var scores = logits.to(ScalarType.Float32) / options.Temperature;
        long vocab = scores.shape[^1];
        if (options.TopK > 0 && options.TopK < vocab)
        {
            var kth = scores.topk(options.TopK).values.narrow(-1, options.TopK - 1, 1);
            scores = scores.masked_fill(scores < kth, float.NegativeInfinity);
        }
        if (options.TopP < 1.0f)
        {
            var (sorted, order) = scores.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            // Drop a token when the tokens before it already reach p; the most likely token always stays.
            var drop = (probs.cumsum(-1) - probs) >= options.TopP;
            sorted = sorted.masked_fill(drop, float.NegativeInfinity);
            scores = full_like(scores, float.NegativeInfinity).scatter(-1, order, sorted);
        }
        return scores.softmax(-1).multinomial(1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }
}
