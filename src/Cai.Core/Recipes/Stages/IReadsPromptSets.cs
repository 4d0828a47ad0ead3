namespace Cai.Core.Recipes.Stages;

/// <summary>Stage options naming prompt sets, which the recipe's prompts: must declare.</summary>
public interface IReadsPromptSets
{
    IReadOnlyList<string> PromptSets { get; }
}
