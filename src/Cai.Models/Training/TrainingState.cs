using System.Text.Json;
using Cai.Models.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Training;

/// <summary>
/// Where a run stands, to resume it exactly: optimizer steps done, position in the seeded batch order, the AdamW
/// moments and the torch RNG. Model weights are saved by the caller beside it.
/// </summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="Epoch">Current epoch (0-based).</param>
/// <param name="BatchInEpoch">Index of the next micro-batch in that epoch.</param>
/// <param name="TokensSeen">Real tokens trained on so far.</param>
public sealed record TrainingState(int Step, int Epoch, int BatchInEpoch, long TokensSeen)
{
    public const string StateFileName = "trainer_state.json";
    public const string OptimizerFileName = "optimizer.bin";
    public const string RngFileName = "rng_state.bin";

    /// <summary>The optimizer moments (bytes from TorchSharp's save_state_dict) and the torch RNG state.</summary>
    internal byte[] OptimizerState { get; init; } = [];

    internal byte[] RngState { get; init; } = [];

    /// <summary>Writes the three state files into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, OptimizerFileName), s => s.Write(OptimizerState));
        AtomicFile.Write(Path.Combine(directory, RngFileName), s => s.Write(RngState));
        var json = new Dictionary<string, object> { ["global_step"] = Step, ["epoch"] = Epoch, ["batch_in_epoch"] = BatchInEpoch, ["tokens_seen"] = TokensSeen };
        AtomicFile.WriteAllText(Path.Combine(directory, StateFileName), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static TrainingState Load(string directory)
    {
        string path = Path.Combine(directory, StateFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"No training state in {directory}: {StateFileName} is missing.", path);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        int Int(string key) => document.RootElement.TryGetProperty(key, out var v) && v.TryGetInt32(out int i)
            ? i : throw new FormatException($"{path}: \"{key}\" is missing or not an integer.");
        long tokens = document.RootElement.TryGetProperty("tokens_seen", out var t) ? t.GetInt64() : 0;
        string Required(string name) => File.Exists(Path.Combine(directory, name))
            ? Path.Combine(directory, name) : throw new FileNotFoundException($"Training state in {directory} lacks {name}.");
        return new TrainingState(Int("global_step"), Int("epoch"), Int("batch_in_epoch"), tokens)
        {
            OptimizerState = File.ReadAllBytes(Required(OptimizerFileName)),
            RngState = File.ReadAllBytes(Required(RngFileName)),
        };
    }

    internal static TrainingState Capture(int step, int epoch, int batchInEpoch, long tokens, OptimizerHelper optimizer)
    {
        var optimizerBytes = new MemoryStream();
        using (var writer = new BinaryWriter(optimizerBytes, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
        var rngBytes = new MemoryStream();
        using (var rng = random.get_rng_state()) rng.Save(rngBytes);
        return new TrainingState(step, epoch, batchInEpoch, tokens) { OptimizerState = optimizerBytes.ToArray(), RngState = rngBytes.ToArray() };
    }

    internal void Restore(OptimizerHelper optimizer)
    {
        using (var reader = new BinaryReader(new MemoryStream(OptimizerState))) optimizer.load_state_dict(reader);
        using var rng = Tensor.Load(new MemoryStream(RngState));
        random.set_rng_state(rng);
    }
}
