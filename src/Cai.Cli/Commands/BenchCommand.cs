using System.CommandLine;
using System.Globalization;
using Cai.Cli.Bench;
using Cai.Core.Recipes;
using Cai.Models.Checkpoints;

namespace Cai.Cli.Commands;

/// <summary>
/// `cai bench`: generation and training-step throughput of a preset model shape (or a checkpoint) on a device and
/// dtype, one JSON line per measurement and readable tables (see <see cref="Benchmark"/> and docs/PERFORMANCE.md).
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset")
        {
            Description = "Model shape: " + string.Join("; ", BenchPreset.All.Select(p => $"{p.Name} ({p.Description})")),
            DefaultValueFactory = _ => "smollm-135m",
        };
        var model = new Option<DirectoryInfo?>("--model")
        {
            Description = "Measure this checkpoint (eos off) instead of the preset's random weights; the preset still gives the defaults.",
        };
        var device = DeviceOptions.Device();
        var dtype = DeviceOptions.DType();
        dtype.Description += " Training in bfloat16 keeps float32 master weights; float16 is measured for generation only.";
        var threads = new Option<int?>("--threads") { Description = "Torch CPU threads (default: the preset's, else libtorch's)." };
        var batches = new Option<string?>("--batches") { Description = "Generation batch sizes, comma-separated (default: the preset's)." };
        var newTokens = new Option<int?>("--new-tokens") { Description = "New tokens per sequence (default: the preset's)." };
        var promptLength = new Option<int>("--prompt-length") { Description = "Prompt tokens per sequence.", DefaultValueFactory = _ => 32 };
        var runs = new Option<int>("--runs") { Description = "Timed runs after one warm-up; the median is reported.", DefaultValueFactory = _ => 3 };
        var trainBatch = new Option<int?>("--train-batch") { Description = "Training step rows: SFT sequences, DPO pairs (default: the preset's)." };
        var trainSeq = new Option<int?>("--train-seq") { Description = "Tokens per training row, half prompt and half completion (default: the preset's)." };
        var training = new Option<string>("--training")
        {
            Description = "Training steps to measure: sft, dpo, both comma-separated, or none.", DefaultValueFactory = _ => "sft,dpo",
        };
        var skipGeneration = new Option<bool>("--skip-generation") { Description = "Measure no generation." };
        var writeCheckpoint = new Option<DirectoryInfo?>("--write-checkpoint")
        {
            Description = "Write the weights (Hugging Face layout, float32) and bench.json (these settings and cai's greedy tokens) here, "
                + "for bench/reference_llama.py and bench/hf_bench.py.",
        };
        var output = new Option<FileInfo?>("--output") { Description = "Also append the JSON lines to this file." };
        var command = new Command("bench", "Measure generation (tokens/s, time to first token, per-step phases) and SFT/DPO training steps (tokens/s, MFU).")
        {
            preset, model, device, dtype, threads, batches, newTokens, promptLength, runs, trainBatch, trainSeq, training, skipGeneration, writeCheckpoint, output,
        };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var chosen = BenchPreset.Find(parse.GetValue(preset)!);
                var factory = DeviceOptions.Factory(parse.GetValue(device)!, parse.GetValue(dtype)!);
                var arguments = new BenchArguments
                {
                    Preset = chosen,
                    Model = parse.GetValue(model)?.FullName,
                    Device = factory.Device,
                    DType = factory.DType.ScalarType(),
                    Threads = Positive(parse.GetValue(threads) ?? chosen.Threads, "--threads"),
                    Batches = parse.GetValue(batches) is string b ? ParseCounts(b, "--batches") : chosen.Batches,
                    NewTokens = Positive(parse.GetValue(newTokens) ?? chosen.NewTokens, "--new-tokens")!.Value,
                    PromptLength = Positive(parse.GetValue(promptLength), "--prompt-length")!.Value,
                    Runs = Positive(parse.GetValue(runs), "--runs")!.Value,
                    TrainBatch = Positive(parse.GetValue(trainBatch) ?? chosen.TrainBatch, "--train-batch")!.Value,
                    TrainSequence = parse.GetValue(trainSeq) ?? chosen.TrainSequence,
                    TrainingSteps = ParseSteps(parse.GetValue(training)!),
                    SkipGeneration = parse.GetValue(skipGeneration),
                    WriteCheckpoint = parse.GetValue(writeCheckpoint)?.FullName,
                    Output = parse.GetValue(output)?.FullName,
                };
                if (arguments.TrainSequence < 4) throw new ArgumentException($"--train-seq must be at least 4, got {arguments.TrainSequence}.");
                Benchmark.Run(arguments, parse.InvocationConfiguration.Output, error);
                return 0;
            }
            catch (Exception e) when (e is FormatException or ArgumentException or IOException or InvalidOperationException or CheckpointMismatchException)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int[] ParseCounts(string text, string option) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1
                ? n
                : throw new ArgumentException($"{option}: '{s}' is not a positive whole number."))];

    private static string[] ParseSteps(string text) => text == "none"
        ? []
        : [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s is "sft" or "dpo" ? s : throw new ArgumentException($"--training: '{s}' is not sft, dpo or none."))];

    private static int? Positive(int? value, string option) =>
        value is < 1 ? throw new ArgumentException($"{option} must be at least 1, got {value}.") : value;
}
