using System.ComponentModel.DataAnnotations;
namespace Cai.Core.Recipes.Stages;

/// <summary>Base of the options a stage kind takes from <c>with:</c>.</summary>
public abstract record StageOptions
{
    /// <summary>Items per call into a model or plugin; hot-reloaded plugins are swapped between batches.</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 16;
}
