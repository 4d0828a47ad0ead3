using Cai.Abstractions.Text;
using Cai.Models.Modeling;
using static TorchSharp.torch;

namespace Cai.Models.Generation;

/// <summary>A prompt and a continuation, as token ids, whose log-probability is wanted.</summary>
/// <param name="PromptIds">Conditioning tokens (at least one).</param>
/// <param name="ContinuationIds">Tokens scored after the prompt.</param>
public sealed record TokenScoringRequest(IReadOnlyList<int> PromptIds, IReadOnlyList<int> ContinuationIds);

/// <summary>
/// Batched log-probabilities of continuations after prompts (multiple-choice judges, reward bookkeeping). Sequences
/// are right-padded into batches of similar length and scored under no_grad.
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
}
