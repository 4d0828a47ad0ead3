using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Tests.Shared;

namespace Cai.Cli.Tests;

[Collection(GlobalConsoleCollection.Name)]
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "cai-bench-" + Guid.NewGuid().ToString("N"));

    private static List<JsonObject> JsonLines(string output) =>
        [.. output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject())];

    [Theory]
    [InlineData("float32", "fp32")]
    [InlineData("bfloat16", "bf16 weights and activations, fp32 master weights and AdamW")]
    public void ARunPrintsAJsonLinePerMeasurementAndTheTables(string dtype, string precision)
    {
        string checkpoint = Path.Combine(_scratch, "tiny"), jsonl = Path.Combine(_scratch, "out", "bench.jsonl");
        var (exit, output, error) = GlobalConsoleCollection.Cai("bench", "--preset", "tiny", "--device", "cpu", "--dtype", dtype,
            "--batches", "1,3", "--new-tokens", "5", "--runs", "1", "--train-batch", "2", "--train-seq", "8", "--write-checkpoint", checkpoint,
            "--output", jsonl);

        Assert.True(exit == 0, error);
        var lines = JsonLines(output);
        Assert.Equal(["machine", "checkpoint", "generation", "generation", "training", "training"], lines.Select(l => (string)l["measurement"]!));
        Assert.All(lines, l => Assert.Equal(dtype, (string)l["dtype"]!));
        var generation = lines.Where(l => (string)l["measurement"]! == "generation").ToList();
        Assert.Equal([1, 3], generation.Select(l => (int)l["batch"]!));
        Assert.All(generation, l =>
        {
            Assert.Equal(5 * (int)l["batch"]!, (long)l["generated_tokens"]!);
            Assert.Equal(1.0, (double)l["host_reads_per_step"]!); // one host synchronisation per decode step
            Assert.True((double)l["tokens_per_second"]! > 0 && (double)l["time_to_first_token_seconds"]! > 0);
            Assert.True((double)l["decode_forward_ms_per_step"]! > 0 && (double)l["mfu"]! > 0);
        });
        var training = lines.Where(l => (string)l["measurement"]! == "training").ToList();
        Assert.Equal(["sft", "dpo"], training.Select(l => (string)l["step"]!));
        Assert.Equal([16, 32], training.Select(l => (int)l["tokens_per_step"]!)); // DPO: chosen and rejected rows
        Assert.All(training, l => Assert.Equal(precision, (string)l["precision"]!));
        Assert.All(training, l => Assert.True((double)l["tokens_per_second"]! > 0 && (double)l["mfu"]! > 0));
        Assert.Contains("| model | device | dtype | batch |", output);
        Assert.Contains("| model | device | dtype | step |", output);
        Assert.Equal(lines.Count, File.ReadAllLines(jsonl).Length);

        var bench = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "bench.json")))!;
        Assert.Equal("[1,3]", bench["batches"]!.ToJsonString());
        Assert.Equal(2, bench["greedy"]!["output_ids"]!.AsArray().Count);
        Assert.True(File.Exists(Path.Combine(checkpoint, "model.safetensors")));
        Assert.Contains("\"torch_dtype\": \"float32\"", File.ReadAllText(Path.Combine(checkpoint, "config.json")));
    }

    [Fact]
    public async Task ThePytorchReferenceReproducesCaisGreedyTokens()
    {
        string python = Requirements.RequirePython("torch");
        // 30 layers, grouped-query attention, an untied head: the deep narrow preset, no timing.
        string checkpoint = Path.Combine(_scratch, "deep");
        var (exit, _, error) = GlobalConsoleCollection.Cai("bench", "--preset", "deep-narrow", "--device", "cpu", "--skip-generation",
            "--training", "none", "--write-checkpoint", checkpoint);
        Assert.True(exit == 0, error);

        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(SlCaiEndToEndFixture.RepositoryRoot(), "bench", "reference_llama.py"), "--checkpoint", checkpoint, "--check-only" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "reference_llama.py took over two minutes");
        Assert.True(process.ExitCode == 0, stdout + await stderr);
        var check = Assert.Single(JsonLines(stdout));
        Assert.Equal("greedy_check", (string)check["measurement"]!);
        Assert.True((bool)check["ok"]!);
        Assert.Equal(32, (int)check["expected_tokens"]!);
        Assert.Empty(check["mismatches"]!.AsArray());
        // Every token agrees, unless a step is a near tie (then that prompt's comparison stops there).
        if (check["near_ties"]!.AsArray().Count == 0) Assert.Equal(32, (int)check["agreed_tokens"]!);
    }

    [Theory]
    [InlineData("--device", "gpu", "error: --device: 'gpu' is not a device (auto, cpu, cuda, cuda:N)")]
    [InlineData("--dtype", "fp8", "error: --dtype: 'fp8' is not a dtype (float32, bfloat16, float16)")]
    [InlineData("--preset", "huge", "error: --preset: 'huge' is not a preset (smollm-135m, deep-narrow, six-layer, tiny)")]
    [InlineData("--batches", "1,0", "error: --batches: '0' is not a batch size in [1, 4096]")]
    [InlineData("--training", "ppo", "error: --training: 'ppo' is not sft, dpo or none")]
    [InlineData("--train-seq", "3", "error: --train-seq: must be in [4, 1048576], got 3")]
    [InlineData("--runs", "0", "error: --runs: must be in [1, 100], got 0")]
    public void BadOptionsGiveOneLineAndExitCodeTwo(string option, string value, string message)
    {
        string[] args = option == "--device" ? ["bench", option, value] : ["bench", "--device", "cpu", option, value];
        var (exit, output, error) = GlobalConsoleCollection.Cai(args);
        Assert.Equal(2, exit);
        Assert.Equal(message, error.Trim());
        Assert.Empty(output);
    }

    public void Dispose()
    {
        if (Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true);
    }
}
