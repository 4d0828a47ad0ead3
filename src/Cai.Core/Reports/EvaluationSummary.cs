using Cai.Core.Pipeline;
using Cai.Core.Recipes;
using Cai.Core.Runs;

namespace Cai.Core.Reports;

/// <summary>The label rates of each finished evaluate stage, in run order: before and after each phase.</summary>
public sealed record EvaluationSummary(string Stage, IReadOnlyDictionary<string, double> Rates, long Rows)
{
    public static IReadOnlyList<EvaluationSummary> Collect(ResolvedRecipe recipe, RunLayout run) =>
        recipe.Stages.Where(s => s.Kind.Name == "evaluate" && run.Stage(s.Id).IsDone)
            .Select(s => StageMarker.Read(run.Stage(s.Id)))
            .Select(m => new EvaluationSummary(m.Stage, m.Outcome.Metrics, m.Outcome.Rows))
            .ToList();

    public double Rate(string key) => Rates.TryGetValue(key, out double rate) ? rate : 0;
}
