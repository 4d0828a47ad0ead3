namespace Cai.Abstractions.Plugins;

/// <summary>
/// Marks a public, non-abstract class as a plugin that recipes refer to by <see cref="Name"/>.
/// The class implements exactly one of <see cref="Feedback.ICritic"/>, <see cref="Feedback.IReviser"/>,
/// <see cref="Feedback.IJudge"/>, <see cref="Training.ITrainer"/> or <see cref="Evaluation.IEvaluator"/>, which gives its
/// <see cref="PluginKind"/>.
/// Its single public constructor takes a <see cref="PluginContext"/> and, optionally, one options record that the
/// host binds from the stage's <c>with:</c> mapping (see <see cref="PluginOptions"/>).
/// </summary>
/// <param name="name">The plugin's name in recipes, unique per kind, e.g. "chain-of-thought".</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CaiPluginAttribute(string name) : Attribute
{
    /// <summary>The plugin's name in recipes.</summary>
    public string Name { get; } = name;

    /// <summary>One line shown by <c>cai plugins list</c>.</summary>
    public string? Description { get; init; }

    /// <summary>
    /// Datasets a trainer reads from <see cref="Training.TrainingRequest.Datasets"/>, by file name:
    /// <see cref="Training.SftRow.FileName"/> (revisions and helpful responses), <see cref="Training.PreferenceRow.FileName"/>
    /// (labelled pairs) or <see cref="Training.PromptRow.FileName"/> (training prompts); see <see cref="Training.TrainingDatasets"/>.
    /// Validation checks that the stages before the train stage make each one.
    /// </summary>
    public string[] Reads { get; init; } = [];

    /// <summary>Model roles the plugin needs besides the policy, e.g. "reward" (PPO); validation checks that the recipe gives or trains
    /// each.</summary>
    public string[] Models { get; init; } = [];
}
