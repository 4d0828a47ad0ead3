using Cai.Abstractions.Input;

namespace Cai.Core.Recipes.Yaml;

/// <summary>Where a bound mapping and each of its values came from; filled by the binder, not bound from YAML.</summary>
public sealed record SourceMap(SourceLocation Location, IReadOnlyDictionary<string, SourceLocation> Keys)
{
    public static readonly SourceMap None = new(new SourceLocation("<none>", 0, 0), new Dictionary<string, SourceLocation>());

    /// <summary>The location of the value of <paramref name="key"/>, or of the mapping when the key is absent.</summary>
    public SourceLocation Of(string key) => Keys.TryGetValue(key, out var location) ? location : Location;
}
