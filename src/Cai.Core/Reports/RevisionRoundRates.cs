using Cai.Abstractions.Prompts;
using Cai.Core.Evaluation;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Models;

namespace Cai.Core.Reports;

/// <summary>Share of a critique-revise stage's responses the evaluator gives a label (e.g. harmful), at round 0 (initial) and after each
/// revision round.</summary>
public sealed record RevisionRoundRates(string Stage, string Label, IReadOnlyList<double> RateByRound)
{
    public static IReadOnlyList<RevisionRoundRates> Collect(ResolvedRecipe recipe, RunLayout run, IResponseEvaluator evaluator,
        string label)
    {
        var results = new List<RevisionRoundRates>();
        foreach (var stage in recipe.Stages.Where(s => s.Kind.Name == "critique-revise" && run.Stage(s.Id).IsDone))
        {
            var rows = JsonlRowStore.ReadCompleted(run.Stage(stage.Id));
            if (rows.Count == 0) continue;
            int rounds = rows.Min(r => r["revisions"]!.AsArray().Count);
            var rates = new List<double>();
            for (int round = 0; round <= rounds; round++)
            {
                var batch = rows.Select(r => (
                    new PromptRecord((string)r["prompt_id"]!, (string)r["prompt"]!, (string?)r["category"], (string?)r["kind"]),
                    round == 0 ? (string)r["initial"]! : (string)r["revisions"]![round - 1]!)).ToList();
                var labels = TorchThread.Wait(evaluator.LabelAsync(batch, CancellationToken.None));
                rates.Add(labels.Average(l => l == label ? 1.0 : 0.0));
            }
            results.Add(new RevisionRoundRates(stage.Id, label, rates));
        }
        return results;
    }
}
