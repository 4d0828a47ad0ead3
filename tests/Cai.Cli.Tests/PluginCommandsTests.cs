using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Cli;
using Cai.Core.Plugins;

namespace Cai.Cli.Tests;

[Collection(GlobalConsoleCollection.Name)]
public sealed class PluginCommandsTests : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("cai-cli-").FullName;

    static (int Exit, string Text) Run(params string[] args)
    {
        var (exit, output, error) = GlobalConsoleCollection.Cai(args);
        return (exit, output + error);
    }

    [Fact]
    public void NewPluginBuildsAndIsListedByPluginsList()
    {
        var (created, text) = Run("new", "plugin", "--kind", "judge", "--name", "ToxicityJudge", "--output", temp);
        Assert.True(created == 0, text);
        string project = Path.Combine(temp, "ToxicityJudge");

        var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-nodeReuse:false", "-v:q"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string log = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
        build.WaitForExit();
        Assert.True(build.ExitCode == 0, log);
        string dll = Path.Combine(project, "bin", "Release", "net10.0", "ToxicityJudge.dll");
        Assert.False(File.Exists(Path.Combine(project, "bin", "Release", "net10.0", "Cai.Abstractions.dll")), "the shared contract must not be copied");

        string recipe = Path.Combine(temp, "recipe.yaml");
        File.WriteAllText(recipe, $"""
            name: listed
            models: {"{"} policy: {"{"} path: . {"}"} {"}"}
            constitution: missing.yaml
            plugins:
              - path: {dll}
                sha256: {FileHash.Sha256(dll)}
            stages: []
            """);
        var (exit, listing) = Run("plugins", "list", recipe);

        Assert.True(exit == 0, listing);
        Assert.Matches(@"toxicity-judge\s*│\s*judge\s*│\s*0?\.?[\d.]+.*│\s*recipe\s*│\s*ToxicityJudge\.dll", listing);
    }

    [Fact]
    public void SchemaCarriesDescriptionsAndDefaultsOfTheOptionRecords()
    {
        var (exit, text) = Run("schema");
        Assert.Equal(0, exit);
        var schema = JsonNode.Parse(text)!;
        var rounds = schema["$defs"]!["CritiqueReviseOptions"]!["properties"]!["rounds"]!;
        Assert.Equal(4, (int)rounds["default"]!);
        Assert.Contains("rounds", (string)rounds["description"]!);
        Assert.Equal("auto", (string)schema["properties"]!["device"]!["default"]!);
        Assert.Equal(1, (int)rounds["minimum"]!);
        Assert.Equal(64, (int)rounds["maximum"]!);
        var topP = schema["$defs"]!["GenerateOptions"]!["properties"]!["top_p"]!;
        Assert.Equal(0, (int)topP["exclusiveMinimum"]!);
        Assert.Equal(1, (int)topP["maximum"]!);
        Assert.Equal(1, (int)schema["$defs"]!["trainer:sft"]!["properties"]!["epochs"]!["minimum"]!);
        Assert.Equal(Cai.Core.Recipes.Recipe.NamePattern, (string)schema["properties"]!["name"]!["pattern"]!);
        Assert.Contains("critique-revise", schema["$defs"]!["StageSpec"]!["properties"]!["use"]!["enum"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void ValidateReportsProblemsWithLocationsAndFails()
    {
        string recipe = Path.Combine(temp, "bad.yaml");
        File.WriteAllText(recipe, "name: bad\nmodels: { policy: { path: . } }\nconstitution: nowhere.yaml\nstages:\n  - { id: x, use: nope }\n");
        var (exit, text) = Run("validate", recipe);
        Assert.Equal(ErrorReport.BadInput, exit);
        Assert.Contains($"{recipe}:3:15: constitution file not found", text);
        Assert.Contains($"{recipe}:5:19: unknown stage kind 'nope'", text);
    }

    public void Dispose() => Directory.Delete(temp, recursive: true);
}
