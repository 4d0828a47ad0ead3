using System.Text.Json.Nodes;
using Cai.Core.Pipeline;
using Cai.Core.Prompts;
using Cai.Core.Recipes;
using Cai.Core.Runs;

namespace Cai.Core.Reports;

/// <summary>The finished label stages of a run, and the independent evaluator's ordering of one labelled pair.</summary>
public static class LabelledPairs
{
    /// <summary>The recipe's label stages that have finished in this run, in recipe order.</summary>
    public static IEnumerable<ResolvedStage> Stages(ResolvedRecipe recipe, RunLayout run) =>
        recipe.Stages.Where(s => s.Kind.Name == "label" && run.Stage(s.Id).IsDone);

    /// <summary>The evaluator's comparison of a label row's chosen with its rejected response: &gt; 0 when chosen is better, 0 when equal.</summary>
    public static int EvaluatorOrder(JsonObject row, IResponseEvaluator evaluator) =>
        evaluator.Compare(new PromptRecord((string)row["prompt_id"]!, (string)row["prompt"]!, (string?)row["category"], null),
            (string)row["chosen"]!, (string)row["rejected"]!);
}
