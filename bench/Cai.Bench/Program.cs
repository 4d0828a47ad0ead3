using System.Diagnostics;
using System.Globalization;
using Cai.Abstractions.Text;
using Cai.Cli.Doctor;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

// Cai.Models throughput: generation (batch 1 vs 16, 32 vs 128 new tokens, KV cache) and a training step
// (forward + backward + AdamW), with model FLOPs utilisation against the `cai doctor` matmul figure.
// Usage: dotnet run -c Release --project bench/Cai.Bench -- [--preset smol|small|tiny] [--threads N] [--prompt-length 32]
//        [--batches 1,16] [--new-tokens 32,128] [--decode-profile] [--skip-training] [--train-batch 4] [--train-seq 256]

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
Cai.Models.LibTorch.Load(); // before TorchSharp: an installed PyTorch's CUDA libtorch, or the bundled CPU one
string preset = Arg("--preset") ?? "smol";
if (Arg("--threads") is string threads) torch.set_num_threads(int.Parse(threads));
bool skipTraining = args.Contains("--skip-training");
int promptLength = int.Parse(Arg("--prompt-length") ?? "32");

var config = preset switch
{
    // SmolLM-135M's shape (LlamaForCausalLM, GQA 9/3, tied embeddings), random weights.
    "smol" => ModelConfig.Llama(49152, 576, 1536, 30, 9, 3, maxPositionEmbeddings: 2048, tieWordEmbeddings: true, rmsNormEps: 1e-5),
    // A 4-layer model of GPT-2-small width.
    "small" => ModelConfig.Llama(8192, 768, 2048, 4, 12, 4, maxPositionEmbeddings: 1024, tieWordEmbeddings: true),
    "tiny" => ModelConfig.Llama(512, 128, 256, 2, 4, 2, maxPositionEmbeddings: 512),
    _ => throw new ArgumentException($"unknown preset {preset}"),
};
config = config with { EosTokenIds = [] }; // every sequence runs to max_new_tokens

Console.WriteLine($"# Cai.Models benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, torch threads {torch.get_num_threads()}, load average at start {load}");
var probe = MatmulProbe.Measure(CPU, 1024, 20);
Console.WriteLine($"matmul (doctor probe, 1024^3 fp32): {probe.GFlops:F1} GFLOP/s");

manual_seed(0);
using var model = CausalLanguageModels.Create(config);
model.eval();
long parameters = model.parameters().Sum(p => p.numel());
Console.WriteLine($"model: preset {preset}, {config.ModelType}, {parameters / 1e6:F1}M parameters, {config.NumHiddenLayers} layers, hidden {config.HiddenSize}, heads {config.NumAttentionHeads}/{config.NumKeyValueHeads}, vocab {config.VocabSize}");
Console.WriteLine();

var generator = new TokenGenerator(model);
var random = new Random(1);
IReadOnlyList<int>[] Prompts(int n) => Enumerable.Range(0, n)
    .Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, promptLength).Select(_ => random.Next(config.VocabSize)).ToArray()).ToArray();

(double Seconds, long Tokens) Generate(int batch, int newTokens)
{
    var prompts = Prompts(batch);
    var options = new GenerationOptions { Temperature = 0, MaxNewTokens = newTokens, BatchSize = batch };
    generator.Generate(prompts, options with { MaxNewTokens = 4 }); // warm-up at this batch size
    var stats = Enumerable.Range(0, 2).Select(_ =>
    {
        generator.Generate(prompts, options);
        return generator.LastStatistics!;
    }).MinBy(s => s.Seconds)!;
    return (stats.Seconds, stats.GeneratedTokens);
}

if (args.Contains("--decode-profile"))
{
    // Time of one decoding step (batch 16) as the cache fills: it should grow only slowly with the position.
    using var noGrad = no_grad();
    const int batchSize = 16;
    using var cache = model.CreateCache(batchSize, promptLength + 129, CPU, ScalarType.Float32);
    var mask = ones(batchSize, promptLength + 129, dtype: ScalarType.Int64);
    using (NewDisposeScope())
        model.forward(new CausalLMInput(randint(0, config.VocabSize, [batchSize, promptLength]), mask.narrow(1, 0, promptLength), PastKeyValues: cache, LogitsToKeep: 1));
    var watch = Stopwatch.StartNew();
    Console.WriteLine("| positions | ms per decoding step (batch 16) |");
    Console.WriteLine("|---|---|");
    for (int t = 0; t < 128; t++)
    {
        using var scope = NewDisposeScope();
        model.forward(new CausalLMInput(randint(0, config.VocabSize, [batchSize, 1]), mask.narrow(1, 0, promptLength + t + 1), PastKeyValues: cache, LogitsToKeep: 1));
        if (t % 32 == 31)
        {
            Console.WriteLine($"| {promptLength + t - 30}..{promptLength + t + 1} | {watch.Elapsed.TotalMilliseconds / 32:F1} |");
            watch.Restart();
        }
    }
    Console.WriteLine();
}

Console.WriteLine($"## Generation (greedy, prompt {promptLength} tokens, KV cache, best of 2)");
Console.WriteLine();
Console.WriteLine("| batch | new tokens | seconds | tokens/s | MFU (2N flops/token) |");
Console.WriteLine("|---|---|---|---|---|");
var results = new Dictionary<(int, int), (double Seconds, long Tokens)>();
int[] batches = (Arg("--batches") ?? "1,16").Split(',').Select(int.Parse).ToArray();
int[] lengths = (Arg("--new-tokens") ?? "32,128").Split(',').Select(int.Parse).ToArray();
foreach (var (batch, newTokens) in batches.SelectMany(b => lengths.Select(n => (b, n))))
{
    var r = results[(batch, newTokens)] = Generate(batch, newTokens);
    double tps = r.Tokens / r.Seconds;
    Console.WriteLine($"| {batch} | {newTokens} | {r.Seconds:F2} | {tps:F1} | {2.0 * parameters * tps / (probe.GFlops * 1e9):P1} |");
}
Console.WriteLine();
if (results.ContainsKey((16, 128)) && results.ContainsKey((1, 128)))
    Console.WriteLine($"batch 16 vs batch 1 tokens/s (128 new tokens): {results[(16, 128)].Tokens / results[(16, 128)].Seconds / (results[(1, 128)].Tokens / results[(1, 128)].Seconds):F1}x (target >= 5x)");
foreach (int b in batches.Where(b => results.ContainsKey((b, 128)) && results.ContainsKey((b, 32))))
    Console.WriteLine($"time of 128 vs 32 new tokens at batch {b}: {results[(b, 128)].Seconds / results[(b, 32)].Seconds:F2}x (target < 3x)");
Console.WriteLine();

if (!skipTraining)
{
    Console.WriteLine($"load average now {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?")}");
    Console.WriteLine();
    int batch = int.Parse(Arg("--train-batch") ?? "4"), seq = int.Parse(Arg("--train-seq") ?? "256");
    model.train();
    var optimizer = optim.AdamW(model.parameters(), lr: 1e-4, weight_decay: 0.1);
    double Step()
    {
        using var scope = NewDisposeScope();
        var ids = randint(0, config.VocabSize, [batch, seq + 1]);
        var input = ids.narrow(1, 0, seq);
        var targets = ids.narrow(1, 1, seq);
        var watch = Stopwatch.StartNew();
        optimizer.zero_grad();
        var logits = model.forward(new CausalLMInput(input)).Logits;
        var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), targets.reshape(-1));
        loss.backward();
        optimizer.step();
        return watch.Elapsed.TotalSeconds;
    }
    Step(); // warm-up
    var times = Enumerable.Range(0, 3).Select(_ => Step()).ToList();
    double seconds = times.Min();
    double tokensPerSecond = batch * seq / seconds;
    // nanoGPT's estimate: 6N per token plus attention 12 * layers * heads * head_dim * seq.
    double flopsPerToken = 6.0 * parameters + 12.0 * config.NumHiddenLayers * config.NumAttentionHeads * config.HeadDim * seq;
    Console.WriteLine($"## Training step (forward + backward + AdamW, batch {batch} x {seq} tokens, fp32, best of 3)");
    Console.WriteLine();
    Console.WriteLine("| tokens/step | seconds/step | tokens/s | MFU |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine($"| {batch * seq} | {seconds:F2} | {tokensPerSecond:F0} | {flopsPerToken * tokensPerSecond / (probe.GFlops * 1e9):P1} |");
}

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
