using Cai.Cli;

namespace Cai.Cli.Tests;

/// <summary>
/// A reduced SL-CAI recipe (the shipped recipes/sl-cai.yaml with tiny settings) on the embedded default model,
/// run once uninterrupted; tests compare interrupted-and-resumed runs against it.
/// </summary>
public class SlCaiEndToEndFixture : IDisposable
{
    public SlCaiEndToEndFixture() : this("sl-cai", "") { }

    protected SlCaiEndToEndFixture(string recipe, string moreStages)
    {
        Root = Directory.CreateTempSubdirectory("cai-e2e-").FullName;
        Name = $"{recipe}-tiny";
        Recipe = Path.Combine(Root, $"{Name}.yaml");
        File.WriteAllText(Recipe, $"""
            extends: {Path.Combine(RepositoryRoot(), "recipes", recipe + ".yaml")}
            name: {Name}
            device: cpu
            stages:
              - id: eval-base
                with: {"{"} max_prompts: 6, max_new_tokens: 24, batch_size: 6 {"}"}
              - id: initial
                with: {"{"} max_prompts: 8, max_new_tokens: 24, batch_size: 4 {"}"}
              - id: revise
                with: {"{"} rounds: 2, max_new_tokens: 24, batch_size: 2 {"}"}
              - id: sl-cai
                with: {"{"} epochs: 3, batch_size: 4, save_steps: 2, logging_steps: 1 {"}"}
              - id: eval-sl-cai
                with: {"{"} max_prompts: 6, max_new_tokens: 24, batch_size: 6 {"}"}
            {moreStages}
            """);
        (Exit, Error) = Run(Path.Combine(Root, "uninterrupted"));
        RunFolder = Directory.GetDirectories(Path.Combine(Root, "uninterrupted", Name)).Single();
    }

    public string Name { get; }

    public string Root { get; }
    public string Recipe { get; }
    public int Exit { get; }
    public string Error { get; }
    public string RunFolder { get; }

    public (int Exit, string Error) Run(string runs, bool resume = false)
    {
        var error = new StringWriter();
        string[] args = ["run", Recipe, "--runs", runs, "--quiet", .. resume ? new[] { "--resume" } : []];
        int exit = CaiCommandLine.Run(args, new StringWriter(), error);
        return (exit, error.ToString());
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CaiFramework.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("CaiFramework.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose() { if (Environment.GetEnvironmentVariable("CAI_KEEP_E2E") is null) Directory.Delete(Root, recursive: true); }
}
