using System.ComponentModel.DataAnnotations;
using Cai.Core.Recipes.Yaml;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>One entry of <c>stages:</c> as written.</summary>
public sealed record StageSpec
{
    /// <summary>Unique name of the stage; its outputs go to runs/&lt;recipe&gt;/&lt;run-id&gt;/&lt;id&gt;/.</summary>
    [RegularExpression(Recipe.NamePattern, ErrorMessage = Recipe.NameRule)]
    public required string Id { get; init; }

    /// <summary>The stage kind: generate, critique-revise, train, sample-pairs, label or evaluate.</summary>
    public required string Use { get; init; }

    /// <summary>Critic plugin name (critique-revise).</summary>
    public string? Critic { get; init; }

    /// <summary>Reviser plugin name (critique-revise).</summary>
    public string? Reviser { get; init; }

    /// <summary>Judge plugin name (label).</summary>
    public string? Judge { get; init; }

    /// <summary>Trainer plugin name (train).</summary>
    public string? Trainer { get; init; }

    /// <summary>Evaluator plugin name (evaluate): world (the run's embedded evaluator, the default), model-graded, keyword, or a
    /// third-party one.</summary>
    public string? Evaluator { get; init; }

    /// <summary>Options of the stage and of its plugins: each key goes to every options record that declares it.</summary>
    public YamlMappingNode? With { get; init; }

    public SourceMap Source { get; init; } = SourceMap.None;
}
