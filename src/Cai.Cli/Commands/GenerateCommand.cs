using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Text;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.Tokenization;
using Cai.Abstractions.Input;
using TorchSharp;

namespace Cai.Cli.Commands;

/// <summary>What `cai generate` was asked to do.</summary>
/// <remarks>The ranges are checked by <see cref="CaiCommandLine.CheckArguments"/>, naming each as its option.</remarks>
public sealed record GenerateArguments
{
    public required string Model { get; init; }
    public IReadOnlyList<string> Prompts { get; init; } = [];
    public IReadOnlyList<int>? PromptIds { get; init; }
    [Range(0, 32768)]
    public int MaxNewTokens { get; init; } = 64;
    [Range(0.0, 100.0)]
    public float Temperature { get; init; } = 1.0f;
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public float TopP { get; init; } = 1.0f;
    [Range(0, 1 << 24)]
    public int TopK { get; init; }
    public long Seed { get; init; } = 42;
    [Range(1, 4096)]
    public int Batch { get; init; } = 1;
    public bool Json { get; init; }
    public string Device { get; init; } = "auto";
    public string DType { get; init; } = "float32";
    [Range(1, 1024)]
    public int? Threads { get; init; }
    public bool IgnoreEos { get; init; }
}

/// <summary>
/// `cai generate --model DIR (--prompt TEXT | --prompt-ids 1,2,3)`: loads a checkpoint and generates. --batch B
/// generates B sequences per prompt in one batch. With --json it prints one JSON object per sequence with the prompt
/// and new token ids, the text, and the run's generated tokens, seconds and tokens/s (measured in-process, after
/// loading), decode steps, host transfers and the seconds of prefill, decode forward passes, sampling and host transfers.
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Checkpoint directory (config.json, safetensors, tokenizer files).", Required = true };
        var prompt = new Option<string[]>("--prompt") { Description = "Prompt text (repeat for several prompts).", AllowMultipleArgumentsPerToken = false };
        var promptIds = new Option<string>("--prompt-ids") { Description = "Prompt token ids, comma-separated (needs no tokenizer)." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most new tokens per sequence.", DefaultValueFactory = _ => 64 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature; 0 is greedy.", DefaultValueFactory = _ => 1.0f };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling threshold; 1 disables.", DefaultValueFactory = _ => 1.0f };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens; 0 disables.", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 42 };
        var batch = new Option<int>("--batch") { Description = "Sequences per prompt, generated together in one batch.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per sequence." };
        var device = DeviceOptions.Device();
        var dtype = DeviceOptions.DType();
        var threads = new Option<int?>("--threads") { Description = "Torch CPU threads (1 is fastest on a busy machine; default: libtorch's)." };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Generate past the eos token, to --max-new-tokens (for benchmarks)." };
        var command = new Command("generate", "Generate text (or token ids) from a checkpoint.")
        {
            model, prompt, promptIds, maxNew, temperature, topP, topK, seed, batch, json, device, dtype, threads, ignoreEos,
        };
        command.Validators.Add(result =>
        {
            bool hasText = (result.GetValue(prompt)?.Length ?? 0) > 0, hasIds = result.GetValue(promptIds) is not null;
            if (hasText == hasIds) result.AddError("Give exactly one of --prompt or --prompt-ids.");
        });
        command.SetAction(parse =>
        {
            var arguments = new GenerateArguments
            {
                Model = parse.GetValue(model)!.FullName,
                Prompts = parse.GetValue(prompt) ?? [],
                PromptIds = parse.GetValue(promptIds) is string ids ? ParseIds(ids) : null,
                MaxNewTokens = parse.GetValue(maxNew),
                Temperature = parse.GetValue(temperature),
                TopP = parse.GetValue(topP),
                TopK = parse.GetValue(topK),
                Seed = parse.GetValue(seed),
                Batch = parse.GetValue(batch),
                Json = parse.GetValue(json),
                Device = parse.GetValue(device)!,
                DType = parse.GetValue(dtype)!,
                Threads = parse.GetValue(threads),
                IgnoreEos = parse.GetValue(ignoreEos),
            };
            return Run(arguments, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>Comma-separated token ids.</summary>
    public static IReadOnlyList<int> ParseIds(string text)
    {
        var ids = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) && id >= 0
                ? id
                : throw InputException.ForOption("--prompt-ids", $"{InputError.Quote(s)} is not a token id"))
            .ToArray();
        return ids.Length > 0 ? ids : throw InputException.ForOption("--prompt-ids", "needs at least one token id");
    }

    /// <summary>Loads the checkpoint, generates and prints; returns the exit code.</summary>
    public static int Run(GenerateArguments arguments, TextWriter output, TextWriter error)
    {
        CaiCommandLine.CheckArguments(arguments);
        if (arguments.Prompts.Any(string.IsNullOrEmpty)) throw InputException.ForOption("--prompt", "is empty");
        if (arguments.Threads is int n) torch.set_num_threads(n);
        var factory = DeviceOptions.Factory(arguments.Device, arguments.DType);
        CheckpointDirectory.RequireDirectory(arguments.Model);
        var tokenizer = TextTokenizer.Exists(arguments.Model) ? CheckpointDirectory.Tokenizer(arguments.Model) : null;
        if (tokenizer is null && arguments.PromptIds is null)
            throw InputException.ForOption("--prompt",
                $"{arguments.Model} has no tokenizer (tokenizer.json, tokenizer.model or vocab.json + merges.txt): use --prompt-ids");
        using var model = CheckpointDirectory.Load(arguments.Model, () => factory.LoadCausalLM(arguments.Model));
        if (arguments.PromptIds?.FirstOrDefault(id => id >= model.Config.VocabSize, -1) is int outside and >= 0)
            throw InputException.ForOption("--prompt-ids",
                $"{outside} is not a token id of the model (vocab_size {model.Config.VocabSize})");

        IReadOnlyList<IReadOnlyList<int>> prompts = arguments.PromptIds is { } ids ? [ids] : arguments.Prompts.Select(p => tokenizer!.Encode(p)).ToList();
        var options = new GenerationOptions
        {
            MaxNewTokens = arguments.MaxNewTokens,
            Temperature = arguments.Temperature,
            TopP = arguments.TopP,
            TopK = arguments.TopK,
            Seed = arguments.Seed,
            NumReturnSequences = arguments.Batch,
            BatchSize = prompts.Count * arguments.Batch,
            IgnoreEos = arguments.IgnoreEos,
        };
        var generator = new TokenGenerator(model, tokenizer);
        var watch = Stopwatch.StartNew();
        var results = generator.Generate(prompts, options);
        double seconds = watch.Elapsed.TotalSeconds;
        var statistics = generator.LastStatistics!;
        long generated = results.Sum(r => r.Sum(s => (long)s.TokenIds.Count));
        double perSecond = seconds > 0 ? generated / seconds : 0;

        foreach (var sequence in results.SelectMany(r => r))
        {
            if (arguments.Json)
            {
                var line = new JsonObject
                {
                    ["prompt_ids"] = new JsonArray(sequence.PromptIds.Select(i => (JsonNode?)i).ToArray()),
                    ["output_ids"] = new JsonArray(sequence.TokenIds.Select(i => (JsonNode?)i).ToArray()),
                    ["text"] = sequence.Text,
                    ["finish_reason"] = sequence.FinishReason switch
                    {
                        FinishReason.EndOfSequence => "eos",
                        FinishReason.StopString => "stop",
                        _ => "length",
                    },
                    ["generated_tokens"] = generated,
                    ["seconds"] = Math.Round(seconds, 6),
                    ["tokens_per_second"] = Math.Round(perSecond, 3),
                    ["decode_steps"] = statistics.DecodeSteps,
                    ["host_transfers"] = statistics.HostTransfers,
                    ["prefill_seconds"] = Math.Round(statistics.PrefillSeconds, 6),
                    ["decode_seconds"] = Math.Round(statistics.DecodeSeconds, 6),
                    ["sampling_seconds"] = Math.Round(statistics.SamplingSeconds, 6),
                    ["host_transfer_seconds"] = Math.Round(statistics.HostTransferSeconds, 6),
                };
                output.WriteLine(line.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            }
            else
            {
                output.WriteLine(sequence.Text ?? string.Join(",", sequence.TokenIds));
            }
        }
        if (!arguments.Json)
            error.WriteLine(FormattableString.Invariant($"{generated} tokens in {seconds:F3} s ({perSecond:F1} tokens/s)"));
        return 0;
    }

}
