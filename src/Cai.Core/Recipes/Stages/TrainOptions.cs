using System.ComponentModel.DataAnnotations;
namespace Cai.Core.Recipes.Stages;

/// <summary>train: runs the trainer plugin; its options (epochs, lr, kl_coef, ...) belong to the trainer.</summary>
public sealed record TrainOptions : StageOptions
{
    /// <summary>Ids of earlier stages whose data the trainer reads; empty means the trainer's usual inputs.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>The model role the trained checkpoint becomes: policy (sft, ppo, dpo) or reward (reward model).</summary>
    [AllowedValues("policy", "reward")]
    public string OutputRole { get; init; } = "policy";
}
