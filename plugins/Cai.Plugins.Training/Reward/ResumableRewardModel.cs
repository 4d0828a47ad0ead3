using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Training;

namespace Cai.Plugins.Training.Reward;

/// <summary>
/// The reward trainer's resume folder, laid out as <see cref="ResumableCheckpoint"/>'s: <c>step-N/</c> holds the
/// reward model and the <see cref="TrainingState"/>; <c>latest</c> is pointed at it only once it is complete.
/// </summary>
public static class ResumableRewardModel
{
    const string Pointer = "latest";

    public static void Save(string directory, RewardModel model, TrainingState state)
    {
        string name = $"step-{state.Step}";
        string folder = Path.Combine(directory, name);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        RewardModelCheckpoint.Save(model, Path.Combine(folder, "model"));
        state.Save(folder);
        string temp = Path.Combine(directory, $".{Pointer}.tmp-{Guid.NewGuid():N}");
        File.WriteAllText(temp, name);
        File.Move(temp, Path.Combine(directory, Pointer), overwrite: true);
        foreach (string old in Directory.GetDirectories(directory, "step-*").Where(d => Path.GetFileName(d) != name))
            Directory.Delete(old, recursive: true);
    }

    /// <summary>Loads the latest save into <paramref name="model"/> and returns its state; null when nothing was saved.</summary>
    public static TrainingState? TryLoad(string directory, RewardModel model)
    {
        string pointer = Path.Combine(directory, Pointer);
        if (!File.Exists(pointer)) return null;
        string folder = Path.Combine(directory, File.ReadAllText(pointer).Trim());
        RewardModelCheckpoint.LoadWeights(model, Path.Combine(folder, "model"));
        return TrainingState.Load(folder);
    }
}
