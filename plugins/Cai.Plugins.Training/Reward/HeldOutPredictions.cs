using System.Text.Json.Nodes;
using Cai.Abstractions.Training;
using Cai.Models.IO;
using Cai.Models.Modeling;
using Cai.Models.Training;
using Cai.Plugins.Training.Preferences;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Reward;

/// <summary>
/// The trained reward model's scores of its held-out comparisons, written to
/// <see cref="TrainingArtifacts.RewardModelPredictions"/> so that a report can compare them with any other ordering
/// of the same pairs.
/// </summary>
public static class HeldOutPredictions
{
    /// <summary>Scores every pair of <paramref name="batches"/> in eval mode and writes the file atomically.</summary>
    public static string Write(RewardModel model, IReadOnlyList<PreferenceBatch> batches, string directory)
    {
        var rows = new List<string>();
        model.eval();
        using (no_grad())
        {
            foreach (var batch in batches)
            {
                using var scope = NewDisposeScope();
                var rewards = batch.Rewards(model).to(ScalarType.Float32).cpu().data<float>().ToArray();
                for (int i = 0; i < batch.Count; i++)
                    rows.Add(new JsonObject
                    {
                        ["id"] = batch.Pairs[i].Id,
                        ["p_chosen"] = batch.Pairs[i].ProbabilityChosen,
                        ["reward_chosen"] = rewards[i],
                        ["reward_rejected"] = rewards[batch.Count + i],
                    }.ToJsonString());
            }
        }
        string path = Path.Combine(directory, TrainingArtifacts.RewardModelPredictions);
        AtomicFile.WriteAllText(path, string.Concat(rows.Select(r => r + "\n")));
        return path;
    }
}
