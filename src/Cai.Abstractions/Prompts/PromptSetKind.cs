namespace Cai.Abstractions.Prompts;

/// <summary>
/// What a recipe's prompt set is for. A recipe may declare it (<c>prompts: { mine: { path: mine.jsonl, kind: helpful } }</c>);
/// otherwise <see cref="PromptSetKinds.FromName"/> reads it from the set's name.
/// </summary>
public enum PromptSetKind
{
    /// <summary>Training prompts whose responses are critiqued and revised (SL-CAI) and sampled in pairs (RL-CAI).</summary>
    RedTeam,

    /// <summary>Training prompts whose generated responses join sft.jsonl as they are (source "helpful").</summary>
    Helpful,

    /// <summary>Held-out prompts for evaluation: never in a training dataset (sft.jsonl, prompts.jsonl).</summary>
    Eval,
}

/// <summary>The default <see cref="PromptSetKind"/> of a prompt set that does not declare one.</summary>
public static class PromptSetKinds
{
    /// <summary>
    /// The kind a set's name implies: <see cref="PromptSetKind.Eval"/> when it starts with "eval" (eval_red_team),
    /// <see cref="PromptSetKind.Helpful"/> when it starts with "helpful", otherwise <see cref="PromptSetKind.RedTeam"/>.
    /// </summary>
    /// <param name="name">The set's name under the recipe's prompts:.</param>
    public static PromptSetKind FromName(string name) =>
        name.StartsWith("eval", StringComparison.Ordinal) ? PromptSetKind.Eval
        : name.StartsWith("helpful", StringComparison.Ordinal) ? PromptSetKind.Helpful
        : PromptSetKind.RedTeam;
}
