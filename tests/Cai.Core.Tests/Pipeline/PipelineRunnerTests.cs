using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Cai.Abstractions.Plugins;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Core.Stages;
using Cai.Core.Tests.Recipes;
using Cai.Models;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace Cai.Core.Tests.Pipeline;

/// <summary>The runner's device policy on the tiny base model: one factory for every role, and what each stage records.</summary>
public sealed class PipelineRunnerTests : IDisposable
{
    readonly RecipeFixture _fixture = new();
    readonly PluginHost _host = new();

    static string TinyModel() => Path.Combine(Plugins.PluginTestFiles.RepoRoot, "models", "cai-tiny-base");

    /// <summary>A recipe whose generate and pretrain stages are <paramref name="probe"/>.</summary>
    ResolvedRecipe Recipe(string dtype, IStage probe, string stages = "  - { id: probe, use: generate }\n", string device = "cpu") =>
        RecipeResolver.Resolve(_fixture.Write($"{dtype}.yaml", $"""
            name: runner
            seed: 3
            device: {device}
            dtype: {dtype}
            models:
              policy: {"{"} path: {TinyModel()} {"}"}
              feedback: [policy, {"{"} path: {TinyModel()} {"}"}]
            constitution: constitutions/harmless.yaml
            prompts:
              red_team: prompts/red-team.jsonl
              helpful: prompts/helpful.jsonl
            stages:
            {stages}
            """), _host, new StageRegistry()
                .Add(new StageKind("generate", typeof(ProbeOptions), probe, "probe"))
                .Add(new StageKind("pretrain", typeof(ProbeOptions), probe, "probe") { Trains = true, Creates = ["policy"] }));

    RunLayout NewRun() => RunLayout.CreateNew(Path.Combine(_fixture.Dir, "runs"), "runner", DateTimeOffset.UtcNow);

    static async Task Run(ResolvedRecipe recipe, RunLayout run) =>
        await new PipelineRunner(recipe, new PluginHost(), ModelFactory.For(recipe.Recipe))
            .RunAsync(run, NullRunObserver.Instance, NullLogger.Instance, CancellationToken.None);

    [Theory]
    [InlineData("bfloat16", torch.ScalarType.BFloat16)]
    [InlineData("float16", torch.ScalarType.Float16)]
    [InlineData("float32", torch.ScalarType.Float32)]
    public async Task EveryRoleIsLoadedOnTheRunsDeviceInItsDtype(string dtype, torch.ScalarType expected)
    {
        var probe = new Probe();
        var run = NewRun();
        await Run(Recipe(dtype, probe), run);

        // policy, feedback (= policy) and feedback.1: every model a stage or plugin can reach.
        Assert.Equal(["feedback", "feedback.1", "policy"], probe.Models.Keys.Order());
        Assert.All(probe.Models.Values, m =>
        {
            Assert.Equal([expected], m.DTypes);
            Assert.Equal(DeviceType.CPU, m.Device);
        });
        var manifest = JsonNode.Parse(File.ReadAllText(run.RunManifest))!;
        Assert.Equal("cpu", (string)manifest["device"]!);
        Assert.Equal(dtype, (string)manifest["dtype"]!);
        var marker = StageMarker.Read(run.Stage("probe"));
        Assert.Equal("cpu", marker.Device);
        Assert.Equal(dtype, marker.Dtype);
        Assert.True(marker.PeakMemory!.Bytes > 0);
        Assert.StartsWith(PeakMemory.ProcessPeakRss, marker.PeakMemory.Measure);
    }

    [Fact]
    public async Task TrainingStagesRecordFloat32()
    {
        var run = NewRun();
        await Run(Recipe("bfloat16", new Probe(), "  - { id: base, use: pretrain }\n"), run);
        Assert.Equal("float32", StageMarker.Read(run.Stage("base")).Dtype);
    }

    [Fact]
    public async Task CudaOutOfMemoryNamesTheStageAndSuggestsASmallerBatch()
    {
        const string cuda = "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 139.80 GiB";
        var run = NewRun();
        // As TorchSharp throws it, wrapped by a plugin call, with libtorch's backtrace after the first line.
        var thrown = new PluginException("chain-of-thought", null, "ExternalException: " + cuda,
            new ExternalException(cuda + "\nException raised from malloc at c10/cuda/CUDACachingAllocator.cpp:1 (most recent call first):\nframe #0: ..."));
        var e = await Assert.ThrowsAsync<OutOfDeviceMemoryException>(() =>
            Run(Recipe("float32", new Probe(thrown), "  - { id: probe, use: generate, with: { batch_size: 32 } }\n"), run));
        Assert.Equal($"stage 'probe' (generate) ran out of memory on cpu: give it a smaller batch_size in its with: (now 32) ({cuda})", e.Message);
        Assert.False(run.Stage("probe").IsDone);
        // Any other failure passes through as it was.
        var other = new InvalidOperationException("no");
        Assert.Same(other, await Assert.ThrowsAsync<InvalidOperationException>(() => Run(Recipe("float32", new Probe(other)), NewRun())));
    }

    [Fact]
    public void ProcessPeakIsAtLeastWhatTheStageTouched()
    {
        static long Resident() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:")).Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        using var watch = PeakMemory.Start("cpu");
        var block = new byte[64 << 20];
        Array.Fill(block, (byte)1); // resident only once touched
        // The peak can be no lower than what is resident while the block is held (other threads may free memory
        // meanwhile, so the resident set before the block is no bound).
        long holding = Resident();
        var peak = watch.Stop()!;
        GC.KeepAlive(block);
        Assert.True(peak.Bytes >= holding && peak.Bytes >= 64 << 20, $"peak {peak.Bytes} < {holding} resident while holding 64 MiB");
        Assert.StartsWith(PeakMemory.ProcessPeakRss, peak.Measure);
    }

    [Fact, Trait("Category", Cai.Tests.Shared.Requirements.Cuda)]
    public void CudaPeakIsTheDeviceMemoryInUse()
    {
        Cai.Tests.Shared.Requirements.RequireCuda();
        using var watch = PeakMemory.Start("cuda");
        using (var block = torch.ones(64L << 20, device: torch.CUDA)) // 256 MiB of float32
            torch.cuda.synchronize();
        var peak = watch.Stop()!;
        Assert.Equal(PeakMemory.CudaDeviceUsed, peak.Measure);
        Assert.True(peak.Bytes >= 256L << 20, $"peak {peak.Bytes}");
    }

    [Fact, Trait("Category", Cai.Tests.Shared.Requirements.Cuda)]
    public async Task ARealCudaOutOfMemoryNamesTheStage()
    {
        Cai.Tests.Shared.Requirements.RequireCuda();
        var run = NewRun();
        var probe = new Probe(work: () => torch.empty(1L << 42, dtype: torch.ScalarType.Byte, device: torch.CUDA).Dispose()); // 4 TiB
        var e = await Assert.ThrowsAsync<OutOfDeviceMemoryException>(() => Run(Recipe("float32", probe, device: "cuda"), run));
        Assert.StartsWith("stage 'probe' (generate) ran out of memory on cuda: give it a smaller batch_size in its with: (now 16) (CUDA out of memory.", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.False(run.Stage("probe").IsDone);
    }

    [Fact, Trait("Category", Cai.Tests.Shared.Requirements.Cuda)]
    public async Task OnCudaEveryRoleIsOnTheGpuAndThePeakIsDeviceMemory()
    {
        Cai.Tests.Shared.Requirements.RequireCuda();
        var probe = new Probe();
        var run = NewRun();
        await Run(Recipe("bfloat16", probe, device: "cuda"), run);
        Assert.All(probe.Models.Values, m =>
        {
            Assert.Equal([torch.ScalarType.BFloat16], m.DTypes);
            Assert.Equal(DeviceType.CUDA, m.Device);
        });
        var marker = StageMarker.Read(run.Stage("probe"));
        Assert.Equal(("cuda", "bfloat16", PeakMemory.CudaDeviceUsed), (marker.Device, marker.Dtype, marker.PeakMemory!.Measure));
        Assert.True(marker.PeakMemory.Bytes > 0);
    }

    sealed record ProbeOptions : StageOptions;

    /// <summary>Stands in for a stage: notes the dtypes and device of every model it can reach, or throws.</summary>
    sealed class Probe(Exception? failure = null, Action? work = null) : IStage
    {
        public Dictionary<string, (torch.ScalarType[] DTypes, DeviceType Device)> Models { get; } = [];

        public Task<StageOutcome> RunAsync(StageContext context)
        {
            if (failure is not null) throw failure;
            work?.Invoke();
            var reachable = new Dictionary<string, Abstractions.Text.ITextModel>(context.Models.ForPlugins()) { ["policy"] = context.Models.Get("policy") };
            foreach (var (role, model) in reachable)
            {
                var local = Assert.IsType<LocalTextModel>(model);
                Models[role] = ([.. local.Model.parameters().Select(p => p.dtype).Distinct()], local.Model.Device.type);
            }
            return Task.FromResult(StageOutcome.OfRows(0));
        }
    }

    public void Dispose()
    {
        _host.Dispose();
        _fixture.Dispose();
    }
}
