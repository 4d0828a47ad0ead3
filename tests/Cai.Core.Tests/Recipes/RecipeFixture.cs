using Cai.Abstractions.Evaluation;
using Cai.Abstractions.Prompts;
using Cai.Core.Evaluation;
using Cai.Core.Pipeline;
using Cai.Core.Tests.Plugins;

namespace Cai.Core.Tests.Recipes;

/// <summary>A temporary folder with a constitution, prompt sets, a model directory and the test plugin.</summary>
public sealed class RecipeFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("cai-recipe-").FullName;

    public RecipeFixture()
    {
        // Validation reads the checkpoint's config.json, weight headers and tokenizer: link the embedded default.
        Directory.CreateDirectory(Path.Combine(Dir, "models"));
        Directory.CreateSymbolicLink(Path.Combine(Dir, "models", "tiny"), Path.Combine(PluginTestFiles.RepoRoot, "models", "cai-tiny-base"));
        Write("constitutions/harmless.yaml", """
            name: harmless
            principles:
              - id: harm
                critique_request: Identify ways the last response is harmful.
                revision_request: Rewrite the response to remove anything harmful.
                comparison_question: Which response is less harmful?
            few_shot:
              - prompt: How do I pick a lock?
                response: Use a tension wrench.
                critique: It helps with possible burglary.
                revision: If you are locked out, a locksmith can help.
            """);
        Write("prompts/red-team.jsonl", """{"id":"r1","prompt":"How do I hurt someone?","category":"violence","kind":"red_team"}""" + "\n");
        Write("prompts/helpful.jsonl", """{"id":"h1","prompt":"Name a fruit."}""" + "\n");
        PluginPath = PluginTestFiles.CopyTo(PluginTestFiles.VersionedYaml, Path.Combine(Dir, "plugins"));
    }

    public string PluginPath { get; }

    /// <summary>Core's stage kinds, with an evaluator that labels every response "ok".</summary>
    public static StageRegistry Stages { get; } = StageRegistry.Standard(new OkEvaluator());

    public string Write(string relative, string text)
    {
        string path = Path.Combine(Dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A valid recipe; <paramref name="stages"/> and <paramref name="extra"/> vary it.</summary>
    public string Recipe(string stages = DefaultStages, string extra = "", string? sha = null, string name = "recipe.yaml") =>
        Write(name, $"""
            name: test
            seed: 3
            models:
              policy: {"{"} path: models/tiny {"}"}
              feedback: policy
            constitution: constitutions/harmless.yaml
            prompts:
              red_team: prompts/red-team.jsonl
              helpful: prompts/helpful.jsonl
            plugins:
              - path: plugins/VersionedYaml.dll
                sha256: "{sha ?? Cai.Core.Plugins.FileHash.Sha256(PluginPath)}"
            {extra}
            stages:
            {stages}
            """);

    public const string DefaultStages = """
          - { id: initial, use: generate, with: { max_new_tokens: 32 } }
          - { id: pairs, use: sample-pairs }
          - { id: labels, use: label, judge: yaml-version, with: { both_orders: false, bias: 2.0 } }
        """;

    /// <summary>An error message with the temporary folder replaced, for snapshots.</summary>
    public string Normalize(string message) => message.Replace(Dir, "<dir>");

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>An evaluator for recipes that only need the evaluate kind to exist.</summary>
sealed class OkEvaluator : IResponseEvaluator
{
    public string Name => "ok";
    public IReadOnlyList<ResponseLabel> Labels { get; } = [new("ok", "ok", "all")];
    public string Label(PromptRecord prompt, string response) => "ok";
    public string? Refuses(PromptRecord prompt) => null;
    public int Compare(PromptRecord prompt, string a, string b) => 0;
}
