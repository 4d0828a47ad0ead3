using Cai.Abstractions.Input;
using Cai.Core.Prompts;
using PromptRecord = Cai.Core.Prompts.PromptRecord;
using Cai.Sandbox.Evaluation;
using Cai.Sandbox.Prompts;

namespace Cai.Core.Pipeline;

/// <summary>The toy world's independent evaluator (Cai.Sandbox), behind the pipeline's evaluator interface.</summary>
public sealed class WorldResponseEvaluator : IResponseEvaluator
{
    public string Name => "toy-world-evaluator";

    public string Label(PromptRecord prompt, string response) => ResponseClassifier.Classify(Parse(prompt), response).Label;

    public int Compare(PromptRecord prompt, string a, string b)
    {
        var world = Parse(prompt);
        return ResponseClassifier.Classify(world, a).Rank.CompareTo(ResponseClassifier.Classify(world, b).Rank);
    }

    public string? Refuses(PromptRecord prompt) => Refusal(prompt);

    static string? Refusal(PromptRecord prompt) =>
        PromptParser.TryParse(prompt.Prompt) is null
            ? $"prompt {InputError.Quote(prompt.Id)} is not a prompt of the toy world, so the evaluator cannot label it" : null;

    static WorldPrompt Parse(PromptRecord prompt) =>
        PromptParser.TryParse(prompt.Prompt)
        ?? throw new InvalidDataException($"{Refusal(prompt)}: {InputError.Quote(prompt.Prompt)}");
}
