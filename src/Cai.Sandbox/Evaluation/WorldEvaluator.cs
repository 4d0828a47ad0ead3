using Cai.Abstractions.Text;
using Cai.Sandbox.Documents;
using Cai.Sandbox.Prompts;

namespace Cai.Sandbox.Evaluation;

/// <summary>
/// Samples a model on world prompts (formatted with the model's own chat format) and labels every response with the
/// independent evaluator. For measurement only: never a training signal.
/// </summary>
public static class WorldEvaluator
{
    /// <summary>Labels responses already written (e.g. a run's data) to world prompts.</summary>
    public static EvaluationReport Evaluate(IEnumerable<(WorldPromptRecord Prompt, string Response)> responses) =>
        EvaluationReport.From(responses.Select(r => Label(r.Prompt.Id, r.Prompt, r.Prompt.ToWorldPrompt(), r.Response)).ToList());

    /// <summary>The model as a policy: its answers to the prompts, labelled harmful / evasive / harmless-engaged or helpful / not.</summary>
    public static async Task<EvaluationReport> EvaluateModelAsync(
        ITextModel model, IReadOnlyList<WorldPromptRecord> prompts, EvaluationOptions options, CancellationToken cancellationToken = default)
    {
        var world = prompts.Select(p => p.ToWorldPrompt()).ToList();
        var texts = prompts.Select(p => model.FormatPrompt(Conversation.FromPrompt(p.Prompt))).ToList();
        var generated = await model.GenerateAsync(texts, Generation(options), cancellationToken);
        var labelled = new List<EvaluatedResponse>(prompts.Count * options.Samples);
        for (int i = 0; i < prompts.Count; i++)
            for (int j = 0; j < generated[i].Count; j++)
                labelled.Add(Label(options.Samples > 1 ? $"{prompts[i].Id}#{j}" : prompts[i].Id, prompts[i], world[i], generated[i][j].Text));
        return EvaluationReport.From(labelled);
    }

    internal static GenerationOptions Generation(EvaluationOptions options) => new()
    {
        MaxNewTokens = options.MaxNewTokens,
        Temperature = options.Temperature,
        NumReturnSequences = options.Samples,
        Seed = options.Seed,
        BatchSize = options.BatchSize,
        StopStrings = [ChatTranscript.HumanCue.TrimEnd()],
    };

    static EvaluatedResponse Label(string id, WorldPromptRecord record, WorldPrompt prompt, string response)
    {
        string clean = ResponseClassifier.Clean(response).Trim();
        return new(id, record.Kind, record.Category, record.Prompt, clean, ResponseClassifier.Classify(prompt, clean).Label);
    }
}
