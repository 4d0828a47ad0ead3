using Cai.Models.Modeling;
using Cai.Models.Training;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Preferences;

/// <summary>
/// A micro-batch of comparisons as one padded batch of 2·Pairs rows: the chosen sequences first, then the rejected
/// ones in the same order, so one forward pass serves both. Labels mark the response tokens.
/// </summary>
/// <param name="Pairs">The comparisons, in row order.</param>
/// <param name="Sequences">Rows 0..n−1: prompt + chosen; rows n..2n−1: prompt + rejected.</param>
public sealed record PreferenceBatch(IReadOnlyList<PreferencePair> Pairs, CausalLMBatch Sequences)
{
    /// <summary>Pairs in the batch.</summary>
    public int Count => Pairs.Count;

    /// <summary>The reward model's score of every row: the chosen sequences' rewards first, then the rejected ones'.</summary>
    public Tensor Rewards(RewardModel model) =>
        model.forward(new CausalLMInput(Sequences.InputIdsTensor(model.Device), Sequences.AttentionMaskTensor(model.Device)));

    /// <summary>P(chosen is better) of each pair.</summary>
    public float[] ProbabilityChosen => [.. Pairs.Select(p => (float)p.ProbabilityChosen)];

    /// <summary>Length-bucketed, seeded batches of one epoch (the same for the same seed and epoch).</summary>
    public static List<PreferenceBatch> Plan(IReadOnlyList<PreferencePair> pairs, int batchSize, int padTokenId, int seed, int epoch) =>
        BatchPlanner.LengthBucketed(pairs.Select(p => p.Length).ToList(), batchSize, seed, epoch)
            .Select(indices => Collate(indices.Select(i => pairs[i]).ToList(), padTokenId))
            .ToList();

    /// <summary>One batch of <paramref name="pairs"/>, padded to its longest sequence.</summary>
    public static PreferenceBatch Collate(IReadOnlyList<PreferencePair> pairs, int padTokenId) =>
        new(pairs, BatchCollator.Pad([.. pairs.Select(p => p.Chosen), .. pairs.Select(p => p.Rejected)], padTokenId, int.MaxValue));
}
