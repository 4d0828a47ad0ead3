using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;
using Cai.Core.Recipes.Yaml;

namespace Cai.Core.Recipes;

/// <summary>A recipe as written (after <c>extends:</c> merging), with every relative path made absolute.</summary>
public sealed record Recipe
{
    /// <summary>A name that is one folder name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64.</summary>
    public const string NamePattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

    /// <summary>How <see cref="NamePattern"/> reads in an error.</summary>
    public const string NameRule = "must be a name of letters, digits, '.', '_' and '-' starting with a letter or digit (at most 64)";

    /// <summary>Name of the recipe; runs are written to runs/&lt;name&gt;/.</summary>
    [RegularExpression(NamePattern, ErrorMessage = NameRule)]
    public required string Name { get; init; }

    /// <summary>The run seed; every sampler and trainer seed derives from it.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Where every stage runs: auto (cuda when TorchSharp sees a GPU, else cpu), cpu, cuda or cuda:N. A GPU asked for and absent is an error before any stage runs.</summary>
    public Device Device { get; init; } = Device.Auto;

    /// <summary>Parameter type of the models used for inference (generation, scoring, feedback): float32, bfloat16 or float16. Training keeps float32 weights.</summary>
    public DType Dtype { get; init; } = DType.Float32;

    /// <summary>Models by role: policy (required), feedback, ... Each is a {path}, another role's name, or a list (ensemble).</summary>
    public required IReadOnlyDictionary<string, ModelSource> Models { get; init; }

    /// <summary>The constitution file (YAML), relative to the recipe file.</summary>
    [RecipePath]
    public required string Constitution { get; init; }

    /// <summary>Prompt sets (JSONL) by name: red_team, helpful, eval_red_team, eval_helpful, ...; each a path relative to the recipe file, or { path, kind } with kind red-team, helpful or eval (by default read from the name: eval…, helpful…, otherwise red-team).</summary>
    public IReadOnlyDictionary<string, PromptSetSource> Prompts { get; init; } = new Dictionary<string, PromptSetSource>();

    /// <summary>Third-party plugin assemblies, each pinned by SHA-256. Built-in plugins need no entry.</summary>
    public IReadOnlyList<PluginPin> Plugins { get; init; } = [];

    /// <summary>The stages, run in order.</summary>
    public required IReadOnlyList<StageSpec> Stages { get; init; }

    /// <summary>A parent recipe this one varies: child keys override, mappings merge, stages merge by id.</summary>
    [RecipePath]
    public string? Extends { get; init; }

    public SourceMap Source { get; init; } = SourceMap.None;
}

/// <summary>A third-party plugin assembly the recipe loads.</summary>
public sealed record PluginPin
{
    /// <summary>The plugin's main assembly (.dll), relative to the recipe file.</summary>
    [RecipePath]
    public required string Path { get; init; }

    /// <summary>Lower-case hex SHA-256 of the assembly file. Without it the assembly loads only with --trust-plugins.</summary>
    public string? Sha256 { get; init; }

    public SourceMap Source { get; init; } = SourceMap.None;
}
