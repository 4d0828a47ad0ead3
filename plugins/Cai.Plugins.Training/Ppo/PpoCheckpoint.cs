using System.Text.Json;
using Cai.Models.Checkpoints;
using Cai.Models.IO;
using Cai.Models.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>
/// What the ppo trainer saves in its resume folder (<see cref="ResumableCheckpoint"/>, one <c>step-N/</c> per saved
/// iteration N): the policy (Hugging Face layout), the value head, the AdamW moments and ppo_state.json (iteration,
/// kl_coef). Prompt batches and sampling are seeded by the iteration (<see cref="PpoSeeds"/>), so this is all a resumed
/// run needs to continue as an uninterrupted one.
/// </summary>
public static class PpoCheckpoint
{
    const string StateFile = "ppo_state.json", ValueHeadFile = "value_head.safetensors", OptimizerFile = "optimizer.bin";

    /// <summary>Where a run stands: iterations done and the KL coefficient to continue with.</summary>
    public sealed record State(int Iteration, double KlCoef);

    public static void Save(string directory, PolicyWithValueHead model, AdamW optimizer, State state, int keep = 1) =>
        ResumableCheckpoint.Save(directory, state.Iteration, keep, folder =>
        {
            CheckpointWriter.Save(model.Policy, Path.Combine(folder, "policy"));
            SafeTensors.Save(Path.Combine(folder, ValueHeadFile),
                model.ValueHead.named_parameters().Select(p => KeyValuePair.Create(p.name, (Tensor)p.parameter)));
            AtomicFile.Write(Path.Combine(folder, OptimizerFile), stream =>
            {
                using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                optimizer.save_state_dict(writer);
            });
            var json = new Dictionary<string, object> { ["iteration"] = state.Iteration, ["kl_coef"] = state.KlCoef };
            AtomicFile.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(json));
        });

    /// <summary>
    /// Loads the save of iteration <paramref name="iteration"/> (null: the latest) into <paramref name="model"/> and
    /// <paramref name="optimizer"/>; null when there is none.
    /// </summary>
    public static State? TryLoad(string directory, PolicyWithValueHead model, AdamW optimizer, long? iteration = null)
    {
        if (ResumableCheckpoint.Find(directory, iteration) is not { } save) return null;
        string folder = save.Folder;
        CausalLanguageModelLoader.LoadWeights(model.Policy, Path.Combine(folder, "policy"));
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var stored = SafeTensors.Load(Path.Combine(folder, ValueHeadFile));
            foreach (var (name, parameter) in model.ValueHead.named_parameters())
                parameter.copy_(stored.TryGetValue(name, out var t) ? t
                    : throw new InvalidDataException($"{folder}: value head lacks {name}"));
        }
        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(folder, OptimizerFile)))) optimizer.load_state_dict(reader);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, StateFile)));
        return new State(json.RootElement.GetProperty("iteration").GetInt32(), json.RootElement.GetProperty("kl_coef").GetDouble());
    }
}
