using Cai.Models.Checkpoints;
using Cai.Models.IO;
using Cai.Models.Modeling;

namespace Cai.Models.Training;

/// <summary>
/// A trainer's resume folder: each save writes <c>step-N/</c> (model weights in <c>model/</c> plus
/// <see cref="TrainingState"/>) in full, then points <c>latest</c> at it, then drops older steps. A crash at any moment
/// leaves a consistent latest.
/// </summary>
public static class ResumableCheckpoint
{
    const string Pointer = "latest";

    public static void Save(string directory, CausalLanguageModel model, TrainingState state) =>
        Save(directory, state, folder => CheckpointWriter.Save(model, folder));

    public static void Save(string directory, RewardModel model, TrainingState state) =>
        Save(directory, state, folder => RewardModelCheckpoint.Save(model, folder));

    /// <summary>Loads the latest saved weights into <paramref name="model"/> and returns the state to resume from; null when none.</summary>
    public static TrainingState? TryLoad(string directory, CausalLanguageModel model) =>
        TryLoad(directory, folder => CausalLanguageModelLoader.LoadWeights(model, folder));

    /// <inheritdoc cref="TryLoad(string, CausalLanguageModel)"/>
    public static TrainingState? TryLoad(string directory, RewardModel model) =>
        TryLoad(directory, folder => RewardModelCheckpoint.LoadWeights(model, folder));

    /// <summary>The step of the latest save, or null when nothing was saved.</summary>
    public static int? LatestStep(string directory)
    {
        string pointer = Path.Combine(directory, Pointer);
        return File.Exists(pointer) ? int.Parse(File.ReadAllText(pointer).Trim()["step-".Length..]) : null;
    }

    static void Save(string directory, TrainingState state, Action<string> saveModel)
    {
        string name = $"step-{state.Step}";
        string folder = Path.Combine(directory, name);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        saveModel(Path.Combine(folder, "model"));
        state.Save(folder);
        AtomicFile.WriteAllText(Path.Combine(directory, Pointer), name);
        foreach (string old in Directory.GetDirectories(directory, "step-*").Where(d => Path.GetFileName(d) != name))
            Directory.Delete(old, recursive: true);
    }

    static TrainingState? TryLoad(string directory, Action<string> loadModel)
    {
        string pointer = Path.Combine(directory, Pointer);
        if (!File.Exists(pointer)) return null;
        string folder = Path.Combine(directory, File.ReadAllText(pointer).Trim());
        loadModel(Path.Combine(folder, "model"));
        return TrainingState.Load(folder);
    }
}
