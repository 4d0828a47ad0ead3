using System.Text.Json.Nodes;
using Cai.Core.Pipeline;
using Cai.Core.Recipes;
using Cai.Core.Runs;

namespace Cai.Core.Reports;

/// <summary>
/// How often a label stage's judge chose the response the independent evaluator ranks higher, over the pairs the
/// evaluator does not rank equal and the judge does not call even (p_chosen = 0.5); those ties are counted apart.
/// </summary>
public sealed record JudgeAgreement(string Stage, string Judge, string PromptSet, int Decided, int Agreeing, int Ties)
{
    public double Rate => Decided == 0 ? double.NaN : Agreeing / (double)Decided;

    /// <summary>One row per label stage and prompt set, then the stage's total (prompt set "all") when it has several.</summary>
    public static IReadOnlyList<JudgeAgreement> Collect(ResolvedRecipe recipe, RunLayout run, IResponseEvaluator evaluator) =>
        LabelledPairs.Stages(recipe, run).SelectMany(stage =>
        {
            var rows = JsonlRowStore.ReadCompleted(run.Stage(stage.Id));
            string judge = rows.Select(r => (string?)r["judge"]?["plugin"]).LastOrDefault(j => j is not null) ?? "";
            var bySet = rows.GroupBy(r => (string?)r["prompt_set"] ?? "").Select(set => Count(stage.Id, judge, set.Key, set, evaluator)).ToList();
            return bySet.Count == 1 ? bySet
                : [.. bySet, new JudgeAgreement(stage.Id, judge, "all", bySet.Sum(a => a.Decided), bySet.Sum(a => a.Agreeing), bySet.Sum(a => a.Ties))];
        }).ToList();

    static JudgeAgreement Count(string stage, string judge, string promptSet, IEnumerable<JsonObject> rows, IResponseEvaluator evaluator)
    {
        int decided = 0, agreeing = 0, ties = 0;
        foreach (var row in rows)
        {
            if (Math.Abs(((double?)row["p_chosen"] ?? 1.0) - 0.5) < 1e-9)
            {
                ties++;
                continue;
            }
            int order = LabelledPairs.EvaluatorOrder(row, evaluator);
            if (order == 0) continue;
            decided++;
            if (order > 0) agreeing++;
        }
        return new JudgeAgreement(stage, judge, promptSet, decided, agreeing, ties);
    }
}
