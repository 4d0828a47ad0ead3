using System.Text.Json;
using Cai.Models.Checkpoints;
using Cai.Models.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>
/// The ppo trainer's resume folder: <c>iteration-N/</c> holds the policy (Hugging Face layout), the value head, the
/// AdamW moments and ppo_state.json (iteration, kl_coef); it is written completely under a temporary name
/// (<see cref="AtomicFile"/>), then <c>latest</c> is pointed at it and older iterations are removed, so a crash at any
/// moment leaves a consistent latest.
/// </summary>
public static class PpoCheckpoint
{
    const string Pointer = "latest", StateFile = "ppo_state.json";
    const string ValueHeadFile = "value_head.safetensors", OptimizerFile = "optimizer.bin";

    /// <summary>Where a run stands: iterations done and the KL coefficient to continue with.</summary>
    public sealed record State(int Iteration, double KlCoef);

    public static void Save(string directory, PolicyWithValueHead model, AdamW optimizer, State state)
    {
        string name = $"iteration-{state.Iteration}";
        AtomicFile.WriteDirectory(Path.Combine(directory, name), folder =>
        {
            CheckpointWriter.Save(model.Policy, Path.Combine(folder, "policy"));
            SafeTensors.Save(Path.Combine(folder, ValueHeadFile),
                model.ValueHead.named_parameters().Select(p => KeyValuePair.Create(p.name, (Tensor)p.parameter)));
            using (var writer = new BinaryWriter(File.Create(Path.Combine(folder, OptimizerFile)))) optimizer.save_state_dict(writer);
            var json = new Dictionary<string, object> { ["iteration"] = state.Iteration, ["kl_coef"] = state.KlCoef };
            File.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(json));
        });
        AtomicFile.WriteAllText(Path.Combine(directory, Pointer), name);
        // Older saves, and the temporary folders of saves a crash interrupted (".iteration-N.tmp-…", ".iteration-N.old-…").
        foreach (string old in Directory.GetDirectories(directory, "iteration-*").Where(d => Path.GetFileName(d) != name)
            .Concat(Directory.GetDirectories(directory, ".iteration-*")))
            Directory.Delete(old, recursive: true);
    }

    /// <summary>Loads the latest save into <paramref name="model"/> and <paramref name="optimizer"/>; null when there is none.</summary>
    public static State? TryLoad(string directory, PolicyWithValueHead model, AdamW optimizer)
    {
        string pointer = Path.Combine(directory, Pointer);
        if (!File.Exists(pointer)) return null;
        string folder = Path.Combine(directory, File.ReadAllText(pointer).Trim());
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
