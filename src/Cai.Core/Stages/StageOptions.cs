using System.ComponentModel.DataAnnotations;

namespace Cai.Core.Stages;

/// <summary>
/// Base of the options a stage kind takes from <c>with:</c>. Keys are the snake_case property names; each property's
/// doc comment, initialiser and validation attributes are its description, default and valid range (read by the
/// binder, <c>cai schema</c> and <c>cai validate</c>).
/// </summary>
public abstract record StageOptions
{
    /// <summary>Items per call into a model or plugin; hot-reloaded plugins are swapped between batches.</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 16;
}

/// <summary>Stage options naming prompt sets, which the recipe's prompts: must declare.</summary>
public interface IReadsPromptSets
{
    IReadOnlyList<string> PromptSets { get; }
}
