using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Plugins.Training.Preferences;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Dpo;

/// <summary>
/// Summed log π_ref of every pair's chosen and rejected response, computed once under no_grad before training
/// (the reference is frozen, so this equals recomputing it each step, at a fraction of the cost).
/// </summary>
public sealed class ReferenceLogProbs
{
    private readonly Dictionary<PreferencePair, (float Chosen, float Rejected)> _values = new(ReferenceEqualityComparer.Instance);

    /// <summary>Loads the reference checkpoint, scores <paramref name="pairs"/> and releases it.</summary>
    public static ReferenceLogProbs Compute(string referenceCheckpoint, IReadOnlyList<PreferencePair> pairs, long padTokenId, Device device,
        int batchSize, CancellationToken cancellationToken)
    {
        using var reference = CausalLanguageModelLoader.Load(referenceCheckpoint, device);
        var requests = pairs.SelectMany(p => new[] { p.Chosen, p.Rejected })
            .Select(e => new TokenScoringRequest(e.PromptIds, e.CompletionIds)).ToList();
        var scores = new ContinuationScorer(reference, padTokenId).Score(requests, batchSize, cancellationToken);
        var result = new ReferenceLogProbs();
        for (int i = 0; i < pairs.Count; i++) result._values[pairs[i]] = ((float)scores[2 * i].LogProb, (float)scores[2 * i + 1].LogProb);
        return result;
    }

    /// <summary>log π_ref(chosen) of each pair of <paramref name="batch"/>, in order.</summary>
    public float[] Chosen(PreferenceBatch batch) => [.. batch.Pairs.Select(p => _values[p].Chosen)];

    /// <summary>log π_ref(rejected) of each pair of <paramref name="batch"/>, in order.</summary>
    public float[] Rejected(PreferenceBatch batch) => [.. batch.Pairs.Select(p => _values[p].Rejected)];
}
