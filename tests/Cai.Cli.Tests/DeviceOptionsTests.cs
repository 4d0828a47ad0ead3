using System.Text.Json.Nodes;
using TorchSharp;

namespace Cai.Cli.Tests;

/// <summary>One device and dtype policy for `cai run`, `cai generate` and `cai eval`: the same values and errors.</summary>
[Collection(GlobalConsoleCollection.Name)]
public sealed class DeviceOptionsTests : IDisposable
{
    readonly string _temp = Directory.CreateTempSubdirectory("cai-device-").FullName;
    static readonly string _repository = SlCaiEndToEndFixture.RepositoryRoot();
    static readonly string _model = Path.Combine(_repository, "models", "cai-tiny-base");

    static (int Exit, string Output, string Error) Cai(params string[] args) => GlobalConsoleCollection.Cai(args);

    string Recipe(string device, string dtype) => WriteRecipe(Path.Combine(_temp, $"{device.Replace(':', '-')}-{dtype}.yaml"), $"""
        name: device-{dtype}
        seed: 5
        device: {device}
        dtype: {dtype}
        models: {"{"} policy: {"{"} path: {_model} {"}"} {"}"}
        constitution: {_repository}/recipes/constitutions/harmless.yaml
        prompts: {"{"} red_team: {_repository}/recipes/prompts/red-team.train.jsonl, helpful: {_repository}/recipes/prompts/helpful.train.jsonl {"}"}
        stages:
          - {"{"} id: answers, use: generate, with: {"{"} max_prompts: 2, max_new_tokens: 8, batch_size: 4 {"}"} {"}"}
        """);

    static string WriteRecipe(string path, string text)
    {
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void RunInBfloat16OnCpuRecordsDeviceDtypeAndPeakMemory()
    {
        string runs = Path.Combine(_temp, "runs");
        var (exit, output, error) = Cai("run", Recipe("cpu", "bfloat16"), "--runs", runs, "--quiet");
        Assert.True(exit == 0, output + error);
        string run = Directory.GetDirectories(Path.Combine(runs, "device-bfloat16")).Single();

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "run.json")))!;
        Assert.Equal(("cpu", "bfloat16"), ((string)manifest["device"]!, (string)manifest["dtype"]!));
        var marker = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "answers", "done.json")))!;
        Assert.Equal(("cpu", "bfloat16"), ((string)marker["device"]!, (string)marker["dtype"]!));
        Assert.True((long)marker["peak_memory"]!["bytes"]! > 10 << 20);
        Assert.StartsWith("process-peak-rss", (string)marker["peak_memory"]!["measure"]!);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "answers", "data.jsonl")).Length);
        Assert.Matches(@"\| answers \| generate \| \d+ \| 4 \| cpu \| bfloat16 \| \d+\.\d\d GiB \(process-peak-rss(-since-start)?\) \|",
            File.ReadAllText(Path.Combine(run, "report.md")));
    }

    [Fact]
    public void RunOnCudaWithoutCudaFailsBeforeAnyStage()
    {
        if (torch.cuda.is_available()) Assert.Skip("this machine has CUDA; the test needs one without");
        string recipe = Recipe("cuda", "float32");
        string runs = Path.Combine(_temp, "runs");
        var (exit, _, error) = Cai("run", recipe, "--runs", runs, "--quiet");
        Assert.Equal(ErrorReport.BadInput, exit);
        int line = Array.IndexOf(File.ReadAllLines(recipe), "device: cuda") + 1;
        Assert.Contains($"error: {recipe}:{line}:9: device 'cuda' is not available: TorchSharp sees no CUDA device", error);
        Assert.False(Directory.Exists(runs), "no run folder: nothing ran");
    }

    [Theory]
    [InlineData("generate", "--device", "tpu", "error: --device: 'tpu' is not a device (auto, cpu, cuda, cuda:N)")]
    [InlineData("generate", "--device", "cuda:x", "error: --device: 'cuda:x' is not a device (auto, cpu, cuda, cuda:N)")]
    [InlineData("generate", "--dtype", "float64", "error: --dtype: 'float64' is not a dtype (float32, bfloat16, float16)")]
    [InlineData("eval", "--device", "tpu", "error: --device: 'tpu' is not a device (auto, cpu, cuda, cuda:N)")]
    [InlineData("eval", "--dtype", "half", "error: --dtype: 'half' is not a dtype (float32, bfloat16, float16)")]
    public void GenerateAndEvalRejectWhatIsNotADeviceOrDtype(string command, string option, string value, string message)
    {
        string[] rest = command == "generate" ? ["--prompt", "Human: hi"] : ["--prompts", Path.Combine(_repository, "recipes", "prompts", "red-team.eval.jsonl")];
        var (exit, _, error) = Cai([command, "--model", _model, .. rest, option, value]);
        Assert.Equal(ErrorReport.BadInput, exit);
        Assert.Equal(message, error.Trim());
    }

    [Theory]
    [InlineData("generate")]
    [InlineData("eval")]
    public void GenerateAndEvalOnCudaWithoutCudaFail(string command)
    {
        if (torch.cuda.is_available()) Assert.Skip("this machine has CUDA; the test needs one without");
        string[] rest = command == "generate" ? ["--prompt", "Human: hi"] : ["--prompts", Path.Combine(_repository, "recipes", "prompts", "red-team.eval.jsonl")];
        var (exit, _, error) = Cai([command, "--model", _model, .. rest, "--device", "cuda"]);
        Assert.Equal(ErrorReport.BadInput, exit);
        Assert.StartsWith("error: --device: device 'cuda' is not available: TorchSharp sees no CUDA device", error.Trim());
    }

    [Fact]
    public void GenerateTakesTheDtype()
    {
        // Greedy decoding of the tiny model in bfloat16 and float16 on the CPU: it runs and answers.
        foreach (string dtype in new[] { "bfloat16", "float16" })
        {
            var (exit, output, error) = Cai("generate", "--model", _model, "--prompt", "Human: What is 2 plus 3?\n\nAssistant:", "--dtype", dtype,
                "--device", "cpu", "--temperature", "0", "--max-new-tokens", "8", "--json");
            Assert.True(exit == 0, error);
            var line = JsonNode.Parse(output)!;
            Assert.True(line["generated_tokens"]!.GetValue<long>() > 0, output);
            Assert.False(string.IsNullOrWhiteSpace((string?)line["text"]), output);
        }
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
