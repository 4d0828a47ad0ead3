using System.Globalization;
using Cai.Abstractions.Input;
using Cai.Models.Checkpoints;
using Cai.Models.IO;
using Cai.Models.Modeling;

namespace Cai.Models.Training;

/// <summary>
/// A trainer's resume folder (<see cref="Abstractions.Training.ITrainingContext.CheckpointDirectory"/>): each save
/// writes <c>step-N/</c> whole through <see cref="AtomicFile.WriteDirectory"/>, then points <c>latest</c> at it, then
/// drops all but the newest <c>keep</c> saves. A crash at any moment leaves a consistent latest; the temporary folders
/// of an interrupted save are removed by the next one. Every trainer's saves live here, whatever they hold (the
/// loop's <see cref="TrainingState"/> and weights, or PPO's policy, value head and KL coefficient).
/// </summary>
public static class ResumableCheckpoint
{
    const string Pointer = "latest", Prefix = "step-";

    /// <summary>Saves the model's weights (<c>model/</c>) and the loop's state as step <see cref="TrainingState.Step"/>.</summary>
    public static void Save(string directory, CausalLanguageModel model, TrainingState state, int keep = 1) =>
        Save(directory, state.Step, keep, folder =>
        {
            CheckpointWriter.Save(model, Path.Combine(folder, "model"));
            state.Save(folder);
        });

    /// <inheritdoc cref="Save(string, CausalLanguageModel, TrainingState, int)"/>
    public static void Save(string directory, RewardModel model, TrainingState state, int keep = 1) =>
        Save(directory, state.Step, keep, folder =>
        {
            RewardModelCheckpoint.Save(model, Path.Combine(folder, "model"));
            state.Save(folder);
        });

    /// <summary>
    /// Saves step <paramref name="step"/>: <paramref name="write"/> fills a new folder, which is then put in place and
    /// made the latest; all but the newest <paramref name="keep"/> saves are removed.
    /// </summary>
    public static void Save(string directory, int step, int keep, Action<string> write)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        string name = Prefix + step.ToString(CultureInfo.InvariantCulture);
        AtomicFile.RemoveLeftovers(directory); // of a save a crash interrupted
        AtomicFile.WriteDirectory(Path.Combine(directory, name), write);
        AtomicFile.WriteAllText(Path.Combine(directory, Pointer), name);
        foreach (int old in Steps(directory).Where(s => s != step).OrderByDescending(s => s).Skip(keep - 1))
            Directory.Delete(Path.Combine(directory, Prefix + old.ToString(CultureInfo.InvariantCulture)), recursive: true);
    }

    /// <summary>The steps saved in <paramref name="directory"/>, in order.</summary>
    public static IReadOnlyList<int> Steps(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetDirectories(directory, Prefix + "*")
                .Select(d => int.TryParse(Path.GetFileName(d)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture,
                    out int s) ? s : -1)
                .Where(s => s >= 0).Order().ToList()
            : [];

    /// <summary>
    /// The save to resume from: step <paramref name="step"/> when given (an <see cref="InputException"/> naming the kept
    /// steps when there is none), else the latest; null when nothing was saved.
    /// </summary>
    public static (int Step, string Folder)? Find(string directory, long? step)
    {
        if (step is { } chosen)
        {
            var steps = Steps(directory);
            if (!steps.Contains((int)chosen))
                throw InputException.ForOption("--from-step", steps.Count == 0
                    ? $"no step was saved in {directory}"
                    : $"no save at step {chosen} in {directory}; saved steps: {string.Join(", ", steps)}");
            return ((int)chosen, Path.Combine(directory, Prefix + chosen.ToString(CultureInfo.InvariantCulture)));
        }
        string pointer = Path.Combine(directory, Pointer);
        if (!File.Exists(pointer)) return null;
        string name = File.ReadAllText(pointer).Trim();
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)
            || !int.TryParse(name[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int latest))
            throw new InvalidDataException($"{pointer}: expected \"{Prefix}N\", found \"{name}\"");
        return (latest, Path.Combine(directory, name));
    }

    /// <summary>Loads the chosen (or latest) save's weights into <paramref name="model"/> and returns the state to resume
    /// from; null when there is none.</summary>
    public static TrainingState? TryLoad(string directory, CausalLanguageModel model, long? step = null) =>
        TryLoad(directory, step, folder => CausalLanguageModelLoader.LoadWeights(model, folder));

    /// <inheritdoc cref="TryLoad(string, CausalLanguageModel, long?)"/>
    public static TrainingState? TryLoad(string directory, RewardModel model, long? step = null) =>
        TryLoad(directory, step, folder => RewardModelCheckpoint.LoadWeights(model, folder));

    static TrainingState? TryLoad(string directory, long? step, Action<string> loadModel)
    {
        if (Find(directory, step) is not { } save) return null;
        loadModel(Path.Combine(save.Folder, "model"));
        return TrainingState.Load(save.Folder);
    }
}
