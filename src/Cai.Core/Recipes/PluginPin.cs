using Cai.Abstractions.Plugins;
using Cai.Core.Recipes.Yaml;

namespace Cai.Core.Recipes;

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
