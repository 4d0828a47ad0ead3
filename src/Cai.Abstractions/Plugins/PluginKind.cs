namespace Cai.Abstractions.Plugins;

/// <summary>The role a plugin plays, derived from the contract interface it implements.</summary>
public enum PluginKind
{
    /// <summary>Implements <see cref="Feedback.ICritic"/>.</summary>
    Critic,
    /// <summary>Implements <see cref="Feedback.IReviser"/>.</summary>
    Reviser,
    /// <summary>Implements <see cref="Feedback.IJudge"/>.</summary>
    Judge,
    /// <summary>Implements <see cref="Training.ITrainer"/>.</summary>
    Trainer,
    /// <summary>Implements <see cref="Evaluation.IEvaluator"/>.</summary>
    Evaluator,
}
