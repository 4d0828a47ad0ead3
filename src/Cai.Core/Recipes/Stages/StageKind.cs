using Cai.Abstractions.Plugins;

namespace Cai.Core.Recipes.Stages;

/// <summary>A stage kind: its name in <c>use:</c>, its options record and the plugins it needs.</summary>
public sealed record StageKind(string Name, Type OptionsType, IReadOnlyList<PluginKind> Plugins, string Description)
{
    /// <summary>The kind of the earlier stage whose rows this kind reads (its latest one), or null.</summary>
    public string? Reads { get; init; }

    public static readonly IReadOnlyList<StageKind> All =
    [
        new("generate", typeof(GenerateOptions), [], "The policy answers prompts."),
        new("critique-revise", typeof(CritiqueReviseOptions), [PluginKind.Critic, PluginKind.Reviser],
            "Critique and revise responses for R rounds (SL-CAI).")
            { Reads = "generate" },
        new("train", typeof(TrainOptions), [PluginKind.Trainer], "Train with a trainer plugin (sft, reward, ppo, dpo, ...)."),
        new("sample-pairs", typeof(SamplePairsOptions), [], "Sample several responses per prompt (RL-CAI)."),
        new("label", typeof(LabelOptions), [PluginKind.Judge], "Label response pairs with a judge (AI feedback).")
            { Reads = "sample-pairs" },
        new("evaluate", typeof(EvaluateOptions), [], "Evaluate on held-out prompts."),
        new("pretrain", typeof(PretrainOptions), [], "Pretrain the tiny base model on the toy world's corpus."),
    ];

    /// <summary>Whether the stage trains (in float32, whatever the recipe's inference dtype).</summary>
    public bool Trains => Name is "train" or "pretrain";

    public static StageKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
