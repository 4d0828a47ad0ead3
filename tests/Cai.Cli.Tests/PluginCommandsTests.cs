using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Cli;
using Cai.Core.Plugins;

namespace Cai.Cli.Tests;

[Collection(GlobalConsoleCollection.Name)]
public sealed class PluginCommandsTests : IDisposable
{
    readonly string _temp = Directory.CreateTempSubdirectory("cai-cli-").FullName;

    static (int Exit, string Text) Run(params string[] args)
    {
        var (exit, output, error) = GlobalConsoleCollection.Cai(args);
        return (exit, output + error);
    }

    [Fact]
    public void NewPluginBuildsAndIsListedByPluginsList()
    {
        var (created, text) = Run("new", "plugin", "--kind", "judge", "--name", "ToxicityJudge", "--output", _temp);
        Assert.True(created == 0, text);
        string project = Path.Combine(_temp, "ToxicityJudge");

        var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-nodeReuse:false", "-v:q"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string log = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
        build.WaitForExit();
        Assert.True(build.ExitCode == 0, log);
        string dll = Path.Combine(project, "bin", "Release", "net10.0", "ToxicityJudge.dll");
        Assert.False(File.Exists(Path.Combine(project, "bin", "Release", "net10.0", "Cai.Abstractions.dll")), "the shared contract must not be copied");

        string recipe = Path.Combine(_temp, "recipe.yaml");
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
        var remote = schema["$defs"]!["RemoteModel"]!;
        Assert.Equal(["endpoint", "model"], remote["required"]!.AsArray().Select(n => (string)n!).Order());
        Assert.Equal(8, (int)remote["properties"]!["max_concurrency"]!["default"]!);
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
        // Plugins load from memory, without a Location: their descriptions come from the XML file beside the DLL.
        Assert.Equal("Passes over the training data.", (string?)schema["$defs"]!["trainer:sft"]!["properties"]!["epochs"]!["description"]);
        Assert.Equal(Cai.Core.Recipes.Recipe.NamePattern, (string)schema["properties"]!["name"]!["pattern"]!);
        Assert.Contains("critique-revise", schema["$defs"]!["StageSpec"]!["properties"]!["use"]!["enum"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void ValidateReportsProblemsWithLocationsAndFails()
    {
        string recipe = Path.Combine(_temp, "bad.yaml");
        File.WriteAllText(recipe, "name: bad\nmodels: { policy: { path: . } }\nconstitution: nowhere.yaml\nstages:\n  - { id: x, use: nope }\n");
        var (exit, text) = Run("validate", recipe);
        Assert.Equal(ErrorReport.BadInput, exit);
        Assert.Contains($"{recipe}:3:15: constitution file not found", text);
        Assert.Contains($"{recipe}:5:19: unknown stage kind 'nope'", text);
    }

    [Fact]
    public void ValidatePrintsEveryStagesEffectiveOptionsAsRecipeKeys()
    {
        var (exit, text) = Run("validate", Path.Combine(SlCaiEndToEndFixture.RepositoryRoot(), "recipes", "quickstart.yaml"));
        Assert.True(exit == 0, text);
        Assert.Contains("stage revise (critique-revise)\n  prompt_sets: [red_team]\n  rounds: 4\n", text);
        Assert.Contains("  critic: plain\n    model: policy\n", text);
        // Plugin options too: the trainer's own, then those of the base trainer options.
        Assert.Matches(@"  trainer: sft\n    revision_rounds: last\n(    .*\n)*    epochs: 2\n    max_steps: unset\n(    .*\n)*    learning_rate: 0.0001\n", text);
        Assert.Contains("  trainer: dpo\n    beta: 0.1\n", text);
        Assert.Contains("  eval_red_team: ", text);
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("<>", text);
        Assert.DoesNotContain("Options {", text);
    }

    [Fact]
    public void ValidatePrintsEachServedModelsSettingsWithItsScoring()
    {
        // The shipped recipe with its paths, relative to its folder, made absolute.
        string recipes = Path.Combine(SlCaiEndToEndFixture.RepositoryRoot(), "recipes");
        string recipe = Path.Combine(_temp, "served.yaml");
        File.WriteAllText(recipe, File.ReadAllText(Path.Combine(recipes, "judge-ensemble-remote.yaml"))
            .Replace("model: sl-cai-a }", "model: sl-cai-a, scoring: votes, votes: 4 }")
            .Replace("path: ../", $"path: {recipes}/../").Replace(": constitutions/", $": {recipes}/constitutions/")
            .Replace(": prompts/", $": {recipes}/prompts/"));
        var (exit, text) = Run("validate", recipe);
        Assert.True(exit == 0, text);
        Assert.Matches(@"served model sl-cai-a@http://127.0.0.1:8001/v1\n  endpoint: http://127.0.0.1:8001/v1\n(  .*\n)*  scoring: votes\n  top_logprobs: 5\n  votes: 4\n", text);
        Assert.Matches(@"served model cai-tiny-base@http://127.0.0.1:8000/v1\n(  .*\n)*  scoring: logprobs\n", text);
    }

    [Fact]
    public void ATableThatDoesNotFitBecomesOneRecordPerBlock()
    {
        var table = new RecordTable("name", "kind", "sha256").Add("chain-of-thought", "judge", new string('a', 64)).Add("sft", "trainer", "0123");
        var narrow = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(narrow) });
        console.Profile.Width = 60;
        table.Write(console);
        Assert.Equal("name: chain-of-thought\nkind: judge\nsha256: " + new string('a', 64) + "\n\nname: sft\nkind: trainer\nsha256: 0123\n",
            narrow.ToString().ReplaceLineEndings("\n"));
        var wide = new StringWriter();
        console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(wide) });
        console.Profile.Width = table.Width;
        table.Write(console);
        Assert.Contains("│ chain-of-thought │ judge   │ " + new string('a', 64) + " │", wide.ToString());
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
