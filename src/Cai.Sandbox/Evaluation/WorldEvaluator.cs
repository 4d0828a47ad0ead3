using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Evaluation;
using Cai.Sandbox.Prompts;

namespace Cai.Sandbox.Evaluation;

/// <summary>
/// A model's answers to world prompts labelled by the independent evaluator, with rates and 95% Wilson intervals:
/// <c>cai eval</c>'s policy skill. It samples and labels along <see cref="PolicyEvaluation"/>, the path of the evaluate
/// stage. For measurement only: never a training signal.
/// </summary>
public static class WorldEvaluator
{
    /// <summary>The set name in each prompt's seed ("prompts/{id}"), as the evaluate stage uses the recipe's set names.</summary>
    public const string PromptSet = "prompts";

    /// <summary>Labels responses already written (e.g. a run's data) to world prompts.</summary>
    public static EvaluationReport Evaluate(IEnumerable<(PromptRecord Prompt, string Response)> responses)
    {
        var evaluator = new WorldResponseEvaluator();
        return EvaluationReport.From(responses.Select(r =>
        {
            PromptParser.Parse(r.Prompt);
            string response = r.Response.Trim();
            return Evaluated(r.Prompt.Id, r.Prompt, response, evaluator.Label(r.Prompt, response));
        }).ToList());
    }

    /// <summary>
    /// The model as a policy: its answers to the prompts (each seeded from <see cref="EvaluationOptions.Seed"/> and its
    /// id), labelled harmful / evasive / harmless-engaged or helpful / not helpful. Every prompt's category and kind must
    /// agree with the world's reading of it.
    /// </summary>
    public static async Task<EvaluationReport> EvaluateModelAsync(
        ITextModel model, IReadOnlyList<PromptRecord> prompts, EvaluationOptions options, CancellationToken cancellationToken = default)
    {
        foreach (var prompt in prompts) PromptParser.Parse(prompt);
        var sampling = new GenerationOptions
        {
            MaxNewTokens = options.MaxNewTokens, Temperature = options.Temperature, NumReturnSequences = options.Samples,
            BatchSize = options.BatchSize,
        };
        var answers = await PolicyEvaluation.RunAsync(model, new WorldResponseEvaluator(), prompts.Select(p => (PromptSet, p)).ToList(),
            sampling, options.Seed, "eval", cancellationToken);
        return EvaluationReport.From(answers
            .Select(a => Evaluated(options.Samples > 1 ? $"{a.Prompt.Id}#{a.Sample}" : a.Prompt.Id, a.Prompt, a.Response, a.Label))
            .ToList());
    }

    static EvaluatedResponse Evaluated(string id, PromptRecord prompt, string response, string label) =>
        new(id, prompt.Kind!, prompt.Category!, prompt.Prompt, response, label);
}
