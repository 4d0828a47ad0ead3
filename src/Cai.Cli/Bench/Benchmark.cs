using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Cli.Doctor;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.IO;
using Cai.Models.Modeling;
using Cai.Models.Modeling.Llama;
using Cai.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Cli.Bench;

/// <summary>What `cai bench` was asked to measure (defaults come from the preset).</summary>
/// <remarks>The ranges are checked by <see cref="CaiCommandLine.CheckArguments"/>, naming each as its option.</remarks>
public sealed record BenchArguments
{
    public required BenchPreset Preset { get; init; }

    /// <summary>A checkpoint to measure instead of the preset's random weights (its config gives the shape).</summary>
    public string? Model { get; init; }

    public string Device { get; init; } = "cpu";

    public ScalarType DType { get; init; } = ScalarType.Float32;

    [Range(1, 1024)]
    public int? Threads { get; init; }

    public required IReadOnlyList<int> Batches { get; init; }

    [Range(1, 32768)]
    public required int NewTokens { get; init; }

    [Range(1, 32768)]
    public int PromptLength { get; init; } = 32;

    /// <summary>Timed runs after the warm-up; the median is reported.</summary>
    [Range(1, 100)]
    public int Runs { get; init; } = 3;

    [Range(1, 4096)]
    public required int TrainBatch { get; init; }

    /// <summary>Tokens per training row (the --train-seq option).</summary>
    [Range(4, 1 << 20), Display(Name = "train-seq")]
    public required int TrainSequence { get; init; }

    public bool SkipGeneration { get; init; }

    /// <summary>Training steps to measure: sft, dpo (empty: none).</summary>
    public IReadOnlyList<string> TrainingSteps { get; init; } = ["sft", "dpo"];

    /// <summary>Writes the float32 weights (Hugging Face layout) and bench.json (these settings, cai's greedy tokens) here, for the references.</summary>
    public string? WriteCheckpoint { get; init; }

    /// <summary>Also appends the JSON lines to this file.</summary>
    public string? Output { get; init; }
}

/// <summary>
/// `cai bench`: generation (warm-up, then the median of <see cref="BenchArguments.Runs"/> runs in this process, per
/// batch size: tokens/s, time to first token, and per decode step the forward pass, sampling and host
/// synchronisation) and training steps (SFT: causal LM loss on completion tokens; DPO: policy and frozen-reference
/// log-probabilities and the DPO loss; each with backward, clipping and AdamW, through <see cref="TrainingLoop{TBatch}"/>),
/// with model FLOPs utilisation against `cai doctor`'s matmul for the device and dtype. With bfloat16, training runs
/// with float32 master weights (<see cref="MasterWeights"/>); float16 is measured for generation only.
/// </summary>
public static class Benchmark
{
    /// <summary>Greedy tokens written for the references' check: prompts of these lengths, this many new tokens each.</summary>
    private static readonly int[] GreedyPromptLengths = [8, 13];
    private const int GreedyNewTokens = 16;

    /// <summary>Written beside the weights by --write-checkpoint.</summary>
    public const string BenchFileName = "bench.json";

    public static void Run(BenchArguments a, TextWriter console, TextWriter progress)
    {
        if (a.Threads is int threads) set_num_threads(threads);
        var device = torch.device(a.Device);
        var report = new BenchReport(console, a.Output);
        string modelName = a.Model is null ? a.Preset.Name : Path.GetFileName(Path.TrimEndingDirectorySeparator(a.Model));
        bool training = a.TrainingSteps.Count > 0 && a.DType != ScalarType.Float16;
        var trainingDType = a.DType == ScalarType.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;

        var peaks = new Dictionary<ScalarType, MatmulProbe.Result>();
        foreach (var dtype in new[] { a.DType, trainingDType }.Distinct())
            if (dtype == a.DType || training) peaks[dtype] = Probe(device, dtype);
        var machine = Line("machine", a, modelName);
        machine["date_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm");
        machine["cores"] = Environment.ProcessorCount;
        machine["torch_threads"] = get_num_threads();
        machine["load_average"] = File.Exists("/proc/loadavg")
            ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)
            : null;
        machine["os"] = Environment.OSVersion.ToString();
        machine["dotnet"] = Environment.Version.ToString();
        machine["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString();
        if (device.type == DeviceType.CUDA) machine["gpu"] = CudaDevices.Describe(Math.Max(0, (int)device.index) + 1)[^1].Name;
        foreach (var (dtype, peak) in peaks)
            machine[$"matmul_{Name(dtype)}_gflops"] = Math.Round(peak.GFlops, 1);
        machine["matmul"] = $"{peaks.First().Value.Size}^3 x{peaks.First().Value.Iterations} (cai doctor's probe)";
        report.Add(machine);

        using (var model = CreateModel(a, device))
        {
            progress.WriteLine($"bench: {modelName}, {CountParameters(model) / 1e6:F1}M parameters, {a.Device}, {Name(a.DType)}");
            if (a.WriteCheckpoint is string folder) WriteCheckpoint(model, folder, report, a, modelName);
            if (!a.SkipGeneration)
            {
                if (a.DType != ScalarType.Float32) model.to(a.DType);
                model.eval();
                foreach (int batch in a.Batches)
                {
                    progress.WriteLine($"bench: generation at batch {batch}, {a.NewTokens} new tokens");
                    report.Add(Generation(model, a, modelName, batch, peaks[a.DType]));
                }
            }
        }

        if (a.DType == ScalarType.Float16 && a.TrainingSteps.Count > 0)
            progress.WriteLine("bench: no training step in float16 (it needs loss scaling; use bfloat16)");
        if (training)
            foreach (string step in a.TrainingSteps)
            {
                progress.WriteLine($"bench: {step} training step, {a.TrainBatch} x {a.TrainSequence} tokens");
                report.Add(TrainingStep(step, a, modelName, device, peaks[trainingDType]));
            }
        report.WriteTables();
    }

    /// <summary>Token ids of benchmark prompt <paramref name="row"/> (the same formula in bench/*.py).</summary>
    public static int[] Prompt(int row, int length, int vocab) =>
        [.. Enumerable.Range(0, length).Select(i => 3 + (i * 37 + row * 101) % (vocab - 3))];

    private static JsonObject Generation(CausalLanguageModel model, BenchArguments a, string modelName, int batch, MatmulProbe.Result peak)
    {
        var config = model.Config;
        var prompts = Enumerable.Range(0, batch).Select(r => (IReadOnlyList<int>)Prompt(r, a.PromptLength, config.VocabSize)).ToList();
        var options = new GenerationOptions { Temperature = 0, MaxNewTokens = a.NewTokens, BatchSize = batch };
        var generator = new TokenGenerator(model);
        generator.Generate(prompts, options); // warm-up at these shapes
        var runs = Enumerable.Range(0, a.Runs).Select(_ =>
        {
            generator.Generate(prompts, options);
            return generator.LastStatistics!;
        }).ToList();
        var firstToken = Enumerable.Range(0, a.Runs).Select(_ =>
        {
            generator.Generate(prompts, options with { MaxNewTokens = 1 });
            return generator.LastStatistics!.Seconds;
        }).ToList();
        var median = runs.OrderBy(s => s.Seconds).ElementAt(runs.Count / 2);
        double tokensPerSecond = median.GeneratedTokens / median.Seconds;
        // 2 flops per matmul weight per token, plus attention over the cache (QK and AV: 4 per head dimension and key).
        double flopsPerToken = 2.0 * MatmulParameters(model)
            + 4.0 * config.NumHiddenLayers * config.NumAttentionHeads * config.HeadDim * (a.PromptLength + a.NewTokens / 2.0);
        int steps = Math.Max(1, median.DecodeSteps);

        var line = Line("generation", a, modelName);
        line["batch"] = batch;
        line["prompt_tokens"] = a.PromptLength;
        line["new_tokens"] = a.NewTokens;
        line["generated_tokens"] = median.GeneratedTokens;
        line["runs_seconds"] = new JsonArray([.. runs.Select(s => (JsonNode?)Math.Round(s.Seconds, 6))]);
        line["median_seconds"] = Math.Round(median.Seconds, 6);
        line["tokens_per_second"] = Math.Round(tokensPerSecond, 3);
        line["time_to_first_token_seconds"] = Math.Round(Median(firstToken), 6);
        line["prefill_seconds"] = Math.Round(median.PrefillSeconds, 6);
        line["decode_steps"] = median.DecodeSteps;
        line["decode_forward_ms_per_step"] = Math.Round(1000 * median.DecodeSeconds / steps, 4);
        line["sampling_ms_per_step"] = Math.Round(1000 * (median.SamplingSeconds - median.HostTransferSeconds) / steps, 4);
        line["host_sync_ms_per_step"] = Math.Round(1000 * median.HostTransferSeconds / steps, 4);
        line["host_reads_per_step"] = Math.Round((double)median.HostTransfers / steps, 4);
        line["flops_per_token"] = flopsPerToken;
        line["mfu"] = Math.Round(flopsPerToken * tokensPerSecond / (peak.GFlops * 1e9), 5);
        return line;
    }

    private static JsonObject TrainingStep(string step, BenchArguments a, string modelName, Device device, MatmulProbe.Result peak)
    {
        var precision = a.DType == ScalarType.BFloat16 ? TrainingPrecision.BFloat16 : TrainingPrecision.Float32;
        var options = new TrainingOptions
        {
            MaxSteps = 1 + a.Runs, LearningRate = 1e-5, WarmupSteps = 0, LoggingSteps = 1, MaxGradNorm = 1.0, Precision = precision,
        };
        using var policy = CreateModel(a, device);
        var config = policy.Config;
        int b = a.TrainBatch, s = a.TrainSequence, prompt = s / 2;
        var random = new Random(5);
        // Row r: benchmark prompt r, then a random completion.
        long[] Row(int r) => [.. Enumerable.Range(0, s)
            .Select(t => (long)(t < prompt ? Prompt(r, prompt, config.VocabSize)[t] : 3 + random.Next(config.VocabSize - 3)))];
        double attention = (double)config.NumHiddenLayers * config.NumAttentionHeads * config.HeadDim * s;
        var seconds = new List<double>();
        double flopsPerToken;
        int sequences;
        if (step == "sft")
        {
            sequences = b;
            long[] ids = [.. Enumerable.Range(0, b).SelectMany(Row)];
            long[] labels = [.. ids.Select((id, i) => i % s < prompt ? CausalLMBatch.IgnoreIndex : id)];
            var batch = new CausalLMBatch(b, s, ids, [.. ids.Select(_ => 1L)], labels);
            var loop = CausalLMTrainingLoop.Create(policy, options, device);
            loop.OnLog = m => { if (m.TokensPerSecond is { } tps) seconds.Add(batch.TokenCount / tps); };
            loop.Run(_ => [batch]);
            flopsPerToken = 6.0 * MatmulParameters(policy) + 12 * attention;
        }
        else if (step == "dpo")
        {
            sequences = 2 * b;
            // Rows 0..b-1 chosen, b..2b-1 rejected: the same prompts, other completions.
            long[] ids = [.. Enumerable.Range(0, b).SelectMany(Row).Concat(Enumerable.Range(0, b).SelectMany(Row))];
            using var reference = CreateModel(a, device);
            if (precision == TrainingPrecision.BFloat16) reference.to(ScalarType.BFloat16);
            reference.eval();
            var loop = new TrainingLoop<long[]>(policy, options, rows => DpoLossOf(policy, reference, rows, b, s, prompt, device), _ => b, _ => 2L * b * s);
            loop.OnLog = m => { if (m.TokensPerSecond is { } tps) seconds.Add(2.0 * b * s / tps); };
            loop.Run(_ => [ids]);
            flopsPerToken = 8.0 * MatmulParameters(policy) + 16 * attention; // policy forward + backward, reference forward
        }
        else throw new ArgumentException($"--training: unknown step '{step}' (sft or dpo).");

        var timed = seconds.Skip(1).ToList(); // the first step is the warm-up
        double median = Median(timed), tokensPerSecond = (double)sequences * s / median;
        var line = Line("training", a, modelName);
        line["step"] = step;
        line["precision"] = precision == TrainingPrecision.BFloat16 ? "bf16 weights and activations, fp32 master weights and AdamW" : "fp32";
        line["sequences"] = sequences;
        line["sequence_length"] = s;
        line["tokens_per_step"] = sequences * s;
        line["runs_seconds"] = new JsonArray([.. timed.Select(t => (JsonNode?)Math.Round(t, 6))]);
        line["median_seconds"] = Math.Round(median, 6);
        line["tokens_per_second"] = Math.Round(tokensPerSecond, 3);
        line["flops_per_token"] = flopsPerToken;
        line["mfu"] = Math.Round(flopsPerToken * tokensPerSecond / (peak.GFlops * 1e9), 5);
        if (PeakResidentMiB() is double rss) line["peak_rss_mib"] = Math.Round(rss, 1);
        return line;
    }

    /// <summary>The DPO loss of one batch: chosen rows first, then rejected; reference log-probabilities under no_grad.</summary>
    private static Tensor DpoLossOf(CausalLanguageModel policy, CausalLanguageModel reference, long[] rows, int pairs, int s, int prompt, Device device)
    {
        var ids = tensor(rows, [2L * pairs, s], device: device);
        var completion = arange(s, device: device).ge(prompt).unsqueeze(0).expand(2L * pairs, s);
        var logps = LogProbs.SumOfContinuations(policy, ids, null, completion);
        Tensor referenceLogps;
        using (no_grad()) referenceLogps = LogProbs.SumOfContinuations(reference, ids, null, completion);
        return DpoLoss.Compute(logps.narrow(0, 0, pairs), logps.narrow(0, pairs, pairs),
            referenceLogps.narrow(0, 0, pairs), referenceLogps.narrow(0, pairs, pairs), beta: 0.1).Loss;
    }

    /// <summary>
    /// Writes the float32 weights in Hugging Face's layout and bench.json: what this run measures (so the references
    /// measure the same shapes by default) and cai's greedy tokens for a few prompts, one prompt at a time in float32
    /// (bench/reference_llama.py checks them).
    /// </summary>
    private static void WriteCheckpoint(CausalLanguageModel model, string folder, BenchReport report, BenchArguments a, string modelName)
    {
        CheckpointWriter.Save(model, folder, options: new CheckpointWriteOptions { DType = ScalarType.Float32 });
        var generator = new TokenGenerator(model);
        var prompts = GreedyPromptLengths.Select((n, r) => (IReadOnlyList<int>)Prompt(r, n, model.Config.VocabSize)).ToList();
        var greedyOptions = new GenerationOptions { Temperature = 0, MaxNewTokens = GreedyNewTokens };
        var outputs = prompts.Select(p => generator.Generate([p], greedyOptions)[0][0].TokenIds).ToList();
        JsonArray Ids(IEnumerable<IReadOnlyList<int>> rows) => new([.. rows.Select(r => (JsonNode?)new JsonArray([.. r.Select(i => (JsonNode?)i)]))]);
        var bench = new JsonObject
        {
            ["model"] = modelName,
            ["batches"] = new JsonArray([.. a.Batches.Select(b => (JsonNode?)b)]),
            ["new_tokens"] = a.NewTokens,
            ["prompt_length"] = a.PromptLength,
            ["runs"] = a.Runs,
            ["threads"] = a.Threads,
            ["train_batch"] = a.TrainBatch,
            ["train_sequence"] = a.TrainSequence,
            ["training"] = new JsonArray([.. a.TrainingSteps.Select(t => (JsonNode?)t)]),
            ["greedy"] = new JsonObject
            {
                ["prompts"] = Ids(prompts),
                ["output_ids"] = Ids(outputs),
                ["new_tokens"] = GreedyNewTokens,
                ["device"] = a.Device,
                ["dtype"] = "float32",
            },
        };
        AtomicFile.WriteAllText(Path.Combine(folder, BenchFileName), bench.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        var line = Line("checkpoint", a, modelName);
        line["path"] = Path.GetFullPath(folder);
        line["greedy_output_ids"] = Ids(outputs);
        report.Add(line);
    }

    private static CausalLanguageModel CreateModel(BenchArguments a, Device device)
    {
        if (a.Model is string folder)
        {
            // Its own shape, with eos off as in the presets, so every sequence runs to its new tokens.
            var loaded = CausalLanguageModels.Create(ModelConfig.Load(folder) with { EosTokenIds = [] });
            loaded.to(device);
            CausalLanguageModelLoader.LoadWeights(loaded, folder);
            return loaded;
        }
        manual_seed(0); // the same random weights in every process
        var model = new LlamaForCausalLM(a.Preset.Config);
        // Wider than Hugging Face's 0.02, as the model tests do: greedy tokens then vary instead of repeating one
        // token, so the references' check of cai's greedy tokens means something. Timings do not depend on it.
        model.InitializeWeights(std: 0.2);
        model.to(device);
        return model;
    }

    private static JsonObject Line(string measurement, BenchArguments a, string modelName) => new()
    {
        ["measurement"] = measurement,
        ["implementation"] = "cai",
        ["model"] = modelName,
        ["device"] = a.Device,
        ["dtype"] = Name(a.DType),
        ["threads"] = get_num_threads(),
    };

    /// <summary>The doctor's matmul for <paramref name="dtype"/>: 1024^3 ten times on the CPU, 4096^3 fifty times on a GPU.</summary>
    private static MatmulProbe.Result Probe(Device device, ScalarType dtype) => device.type == DeviceType.CUDA
        ? MatmulProbe.Measure(device, 4096, iterations: 50, dtype: dtype)
        : MatmulProbe.Measure(device, 1024, iterations: 10, dtype: dtype);

    private static string Name(ScalarType dtype) => dtype switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => "float32",
    };

    private static long CountParameters(CausalLanguageModel model) => model.parameters().Sum(p => p.numel());

    /// <summary>Weights that take part in matmuls: every matrix but an untied embedding table (a lookup).</summary>
    private static long MatmulParameters(CausalLanguageModel model) =>
        model.named_parameters().Where(p => p.parameter.dim() >= 2 && !(p.name.Contains("embed_tokens") && !model.Config.TieWordEmbeddings))
            .Sum(p => p.parameter.numel());

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>VmHWM of this process (Linux), in MiB.</summary>
    private static double? PeakResidentMiB()
    {
        if (!File.Exists("/proc/self/status")) return null;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
