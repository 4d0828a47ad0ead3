namespace Cai.Core.Recipes;

/// <summary>A recipe (or a file it refers to) is invalid; <see cref="Errors"/> lists every problem found.</summary>
public sealed class RecipeException(IReadOnlyList<RecipeError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<RecipeError> Errors { get; } = errors;

    public RecipeException(RecipeError error) : this([error]) { }

    /// <summary>Throws when <paramref name="errors"/> is not empty.</summary>
    public static void ThrowIfAny(IReadOnlyList<RecipeError> errors)
    {
        if (errors.Count > 0) throw new RecipeException(errors);
    }
}
