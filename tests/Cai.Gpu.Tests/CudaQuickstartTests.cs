using System.CommandLine;
using System.Text.Json.Nodes;
using Cai.Cli;
using Cai.Tests.Shared;

namespace Cai.Gpu.Tests;

/// <summary>
/// The shipped quickstart recipe (SL-CAI, pairs, AI-feedback labels, reward model, DPO, evaluations) with tiny
/// settings and <c>device: cuda</c>: it runs to the end and its run records say cuda.
/// </summary>
[Trait("Category", Requirements.Cuda)]
public sealed class CudaQuickstartTests
{
    /// <summary>recipes/ of the repository, or of the GPU bundle (unpacked beside the test executable's folder).</summary>
    static string Recipes()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "recipes", "quickstart.yaml"))) return Path.Combine(dir.FullName, "recipes");
        throw new DirectoryNotFoundException("recipes/quickstart.yaml not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void ReducedQuickstartRunsEveryStageOnCuda()
    {
        Requirements.RequireCuda();
        var root = Directory.CreateTempSubdirectory("cai-cuda-quickstart-");
        try
        {
            string recipe = Path.Combine(root.FullName, "quickstart-cuda-tiny.yaml");
            File.WriteAllText(recipe, $$"""
                extends: {{Path.Combine(Recipes(), "quickstart.yaml")}}
                name: quickstart-cuda-tiny
                device: cuda
                stages:
                  - id: eval-base
                    with: { max_prompts: 6, max_new_tokens: 24, batch_size: 6 }
                  - id: initial
                    with: { max_prompts: 8, max_new_tokens: 24, batch_size: 4 }
                  - id: revise
                    with: { rounds: 2, max_new_tokens: 24, batch_size: 4 }
                  - id: sl-cai
                    with: { epochs: 1, batch_size: 4, logging_steps: 1 }
                  - id: eval-sl-cai
                    with: { max_prompts: 6, max_new_tokens: 24, batch_size: 6 }
                  - id: pairs
                    with: { prompt_sets: [red_team], max_prompts: 8, n: 2, max_new_tokens: 24, batch_size: 4 }
                  - id: labels
                    with: { batch_size: 4 }
                  - id: rm
                    with: { epochs: 1, batch_size: 4, logging_steps: 1, eval_fraction: 0.25 }
                  - id: rl-cai
                    with: { epochs: 1, batch_size: 4, logging_steps: 1, eval_fraction: 0.25 }
                  - id: eval-rl-cai
                    with: { max_prompts: 6, max_new_tokens: 24, batch_size: 6 }
                """);
            var error = new StringWriter();
            int exit = CaiCommandLine.Build().Parse(["run", recipe, "--runs", Path.Combine(root.FullName, "runs"), "--quiet"])
                .Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = error });
            Assert.True(exit == 0, error.ToString());
            string run = Directory.GetDirectories(Path.Combine(root.FullName, "runs", "quickstart-cuda-tiny")).Single();
            Assert.True(File.Exists(Path.Combine(run, "report.md")), "no report.md");
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "run.json")))!;
            Assert.Equal("cuda", (string?)manifest["device"]);
            // Every stage ran on the GPU and measured the device's memory, and the report's stage table says so.
            string report = File.ReadAllText(Path.Combine(run, "report.md"));
            foreach (var stage in manifest["stages"]!.AsArray().Select(s => ((string)s!).Split(':')[0]))
            {
                var done = JsonNode.Parse(File.ReadAllText(Path.Combine(run, stage, "done.json")))!;
                Assert.Equal("cuda", (string?)done["device"]);
                Assert.Equal("cuda-device-used", (string?)done["peak_memory"]?["measure"]);
                Assert.Matches($@"\| {stage} \| [^|]+\| [^|]+\| [^|]+\| cuda \|", report);
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
