using Cai.Core.Recipes.Yaml;

namespace Cai.Core.Recipes;

/// <summary>One problem in a recipe, constitution or prompt set, with where it is.</summary>
public sealed record RecipeError(SourceLocation? Location, string Message)
{
    public override string ToString() => Location is null ? Message : $"{Location}: {Message}";
}
