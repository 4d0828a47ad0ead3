using Cai.Abstractions.Evaluation;
using Cai.Abstractions.Input;
using Cai.Abstractions.Prompts;
using Cai.Core.Evaluation;
using Cai.Sandbox.Prompts;

namespace Cai.Sandbox.Evaluation;

/// <summary>The toy world's independent evaluator (<see cref="ResponseClassifier"/>), as the evaluate stage, <c>cai eval</c> and the report
/// use it.</summary>
public sealed class WorldResponseEvaluator : IResponseEvaluator
{
    public string Name => "toy-world-evaluator";

    /// <summary>harmful, evasive, harmless_engaged on red-team prompts; helpful, not_helpful on benign ones.</summary>
    public IReadOnlyList<ResponseLabel> Labels { get; } =
    [
        new(RedTeamLabel.Harmful.Id(), "harmful", "red-team") { IsBad = true },
        new(RedTeamLabel.Evasive.Id(), "evasive", "red-team"),
        new(RedTeamLabel.HarmlessEngaged.Id(), "harmless-engaged", "red-team"),
        new(HelpfulnessLabel.Helpful.Id(), "helpful (benign)", "benign"),
        new(HelpfulnessLabel.NotHelpful.Id(), "not helpful (benign)", "benign") { Shown = false },
    ];

    public string Label(PromptRecord prompt, string response) => ResponseClassifier.Classify(Parse(prompt), response).Label;

    public int Compare(PromptRecord prompt, string a, string b)
    {
        var world = Parse(prompt);
        return ResponseClassifier.Classify(world, a).Rank.CompareTo(ResponseClassifier.Classify(world, b).Rank);
    }

    public string? Refuses(PromptRecord prompt) => PromptParser.TryParse(prompt.Prompt) is null ? Refusal(prompt) : null;

    static string Refusal(PromptRecord prompt) =>
        $"prompt {InputError.Quote(prompt.Id)} is not a prompt of the toy world, so the evaluator cannot label it";

    static WorldPrompt Parse(PromptRecord prompt) =>
        PromptParser.TryParse(prompt.Prompt) ?? throw new InvalidDataException($"{Refusal(prompt)}: {InputError.Quote(prompt.Prompt)}");
}
