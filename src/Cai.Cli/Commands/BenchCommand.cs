using System.CommandLine;
using System.Globalization;
using Cai.Cli.Bench;
using Cai.Abstractions.Input;
using Cai.Core.Recipes;

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
            var chosen = BenchPreset.Find(parse.GetValue(preset)!);
            var factory = DeviceOptions.Factory(parse.GetValue(device)!, parse.GetValue(dtype)!);
            var arguments = new BenchArguments
            {
                Preset = chosen,
                Model = parse.GetValue(model)?.FullName,
                Device = factory.Device,
                DType = factory.DType.ScalarType(),
                Threads = parse.GetValue(threads) ?? chosen.Threads,
                Batches = parse.GetValue(batches) is string b ? ParseBatches(b) : chosen.Batches,
                NewTokens = parse.GetValue(newTokens) ?? chosen.NewTokens,
                PromptLength = parse.GetValue(promptLength),
                Runs = parse.GetValue(runs),
                TrainBatch = parse.GetValue(trainBatch) ?? chosen.TrainBatch,
                TrainSequence = parse.GetValue(trainSeq) ?? chosen.TrainSequence,
                TrainingSteps = ParseSteps(parse.GetValue(training)!),
                SkipGeneration = parse.GetValue(skipGeneration),
                WriteCheckpoint = parse.GetValue(writeCheckpoint)?.FullName,
                Output = parse.GetValue(output)?.FullName,
            };
            CaiCommandLine.CheckArguments(arguments);
            Benchmark.Run(arguments, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return 0;
        });
        return command;
    }

    private static int[] ParseBatches(string text)
    {
        int[] batches = [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 4096
                ? n
                : throw InputException.ForOption("--batches", $"{InputError.Quote(s)} is not a batch size in [1, 4096]"))];
        return batches.Length > 0 ? batches : throw InputException.ForOption("--batches", "needs at least one batch size");
    }

    private static string[] ParseSteps(string text) => text == "none"
        ? []
        : [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s is "sft" or "dpo" ? s : throw InputException.ForOption("--training", $"{InputError.Quote(s)} is not sft, dpo or none"))];
}
