namespace Cai.Core.Recipes.Yaml;

/// <summary>A position in a YAML file, printed as file:line:column (1-based).</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
