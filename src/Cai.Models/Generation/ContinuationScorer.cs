using Cai.Abstractions.Text;
using Cai.Models.Modeling;
using static TorchSharp.torch;

namespace Cai.Models.Generation;

/// <summary>A prompt and a continuation, as token ids, whose log-probability is wanted.</summary>
/// <param name="PromptIds">Conditioning tokens (at least one).</param>
/// <param name="ContinuationIds">Tokens scored after the prompt.</param>
public sealed record TokenScoringRequest(IReadOnlyList<int> PromptIds, IReadOnlyList<int> ContinuationIds);

/// <summary>
/// Batched log-probabilities of continuations after prompts (multiple-choice judges, reward bookkeeping), and of every
/// token of given sequences (an OpenAI completions request's echo with logprobs). Sequences are right-padded into
/// batches of similar length and scored under no_grad.
/// </summary>
public sealed class ContinuationScorer(CausalLanguageModel model, long padTokenId = 0)
{
    /// <summary>Sum of the continuation's token log-probabilities and its token count, per request, in order.</summary>
    public IReadOnlyList<ContinuationScore> Score(IReadOnlyList<TokenScoringRequest> requests, int batchSize = 16,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var results = new ContinuationScore[requests.Count];
        foreach (var (r, i) in requests.Select((r, i) => (r, i)))
        {
            if (r.PromptIds.Count == 0) throw new ArgumentException($"Scoring request {i} has an empty prompt.", nameof(requests));
            if (r.PromptIds.Count + r.ContinuationIds.Count > model.Config.ContextLength)
                throw new ArgumentException($"Scoring request {i} has {r.PromptIds.Count + r.ContinuationIds.Count} tokens; the model has {model.Config.ContextLength} positions.", nameof(requests));
        }
        var order = Enumerable.Range(0, requests.Count)
            .OrderByDescending(i => requests[i].PromptIds.Count + requests[i].ContinuationIds.Count).ToList();
        using var noGrad = no_grad();
        foreach (var chunk in order.Chunk(batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int length = chunk.Max(i => requests[i].PromptIds.Count + requests[i].ContinuationIds.Count);
            var ids = new long[chunk.Length * length];
            var mask = new long[chunk.Length * length];
            var continuation = new long[chunk.Length * length];
            Array.Fill(ids, padTokenId);
            for (int b = 0; b < chunk.Length; b++)
            {
                var r = requests[chunk[b]];
                int t = 0;
                foreach (int id in r.PromptIds) { ids[b * length + t] = id; mask[b * length + t] = 1; t++; }
                foreach (int id in r.ContinuationIds) { ids[b * length + t] = id; mask[b * length + t] = 1; continuation[b * length + t] = 1; t++; }
            }
            var device = model.Device;
            var sums = LogProbs.SumOfContinuations(model,
                tensor(ids, [chunk.Length, length], device: device),
                tensor(mask, [chunk.Length, length], device: device),
                tensor(continuation, [chunk.Length, length], device: device));
            var values = sums.to(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int b = 0; b < chunk.Length; b++)
                results[chunk[b]] = new ContinuationScore(values[b], requests[chunk[b]].ContinuationIds.Count);
        }
        return results;
    }

    /// <summary>
    /// For each sequence, the log-probability of each of its tokens after the first given the tokens before it
    /// (result[i][t - 1] is token t's), with the <paramref name="top"/> most likely tokens at that position. One forward
    /// pass per batch, and one read back to the host; at most about 2^26 logits are held at a time.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<TokenLogprob>> TokenLogprobs(IReadOnlyList<IReadOnlyList<int>> sequences, int top = 0,
        CancellationToken cancellationToken = default)
    {
        long vocab = model.Config.VocabSize;
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, vocab);
        foreach (var (s, i) in sequences.Select((s, i) => (s, i)))
        {
            if (s.Count == 0) throw new ArgumentException($"Sequence {i} has no tokens.", nameof(sequences));
            if (s.Count > model.Config.ContextLength)
                throw new ArgumentException($"Sequence {i} has {s.Count} tokens; the model has {model.Config.ContextLength} positions.", nameof(sequences));
            if (s.Any(id => id < 0 || id >= vocab)) throw new ArgumentException($"Sequence {i} has a token id outside the vocabulary [0, {vocab}).", nameof(sequences));
        }
        var results = new IReadOnlyList<TokenLogprob>[sequences.Count];
        var order = Enumerable.Range(0, sequences.Count).OrderByDescending(i => sequences[i].Count).ToList();
        using var noGrad = no_grad();
        for (int start = 0; start < order.Count;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int length = sequences[order[start]].Count;
            int rows = (int)Math.Clamp((1L << 26) / Math.Max(1L, length * vocab), 1, order.Count - start);
            var chunk = order.GetRange(start, rows);
            start += rows;
            if (length == 1)
            {
                foreach (int i in chunk) results[i] = [];
                continue;
            }
            using var scope = NewDisposeScope();
            var ids = new long[rows * length];
            var mask = new long[rows * length];
            Array.Fill(ids, padTokenId);
            for (int b = 0; b < rows; b++)
                for (int t = 0; t < sequences[chunk[b]].Count; t++) { ids[b * length + t] = sequences[chunk[b]][t]; mask[b * length + t] = 1; }
            var device = model.Device;
            var input = tensor(ids, [rows, length], device: device);
            var logits = model.forward(new CausalLMInput(input, tensor(mask, [rows, length], device: device))).Logits;
            var logp = logits.narrow(1, 0, length - 1).to(ScalarType.Float32).log_softmax(-1);              // [b, s-1, v]
            var chosen = logp.gather(-1, input.narrow(1, 1, length - 1).unsqueeze(-1));                      // [b, s-1, 1]
            var columns = new List<Tensor> { chosen.to(ScalarType.Float64) };
            if (top > 0)
            {
                var (values, best) = logp.topk(top);
                columns.Add(best.to(ScalarType.Float64));
                columns.Add(values.to(ScalarType.Float64));
            }
            int width = 1 + 2 * top;
            var packed = cat(columns, -1).cpu().data<double>().ToArray();                                 // [b, s-1, 1 + 2 top]
            for (int b = 0; b < rows; b++)
            {
                var sequence = sequences[chunk[b]];
                var row = new TokenLogprob[sequence.Count - 1];
                for (int t = 1; t < sequence.Count; t++)
                {
                    int offset = (b * (length - 1) + t - 1) * width;
                    var best = new (int, double)[top];
                    for (int k = 0; k < top; k++) best[k] = ((int)packed[offset + 1 + k], packed[offset + 1 + top + k]);
                    row[t - 1] = new TokenLogprob(sequence[t], packed[offset], best);
                }
                results[chunk[b]] = row;
            }
        }
        return results;
    }
}
