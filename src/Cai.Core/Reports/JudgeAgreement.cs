using Cai.Core.Pipeline;
using Cai.Core.Prompts;
using Cai.Core.Recipes;
using Cai.Core.Runs;

namespace Cai.Core.Reports;

/// <summary>
/// How often a label stage's judge chose the response the independent evaluator ranks higher, over the pairs the
/// evaluator does not rank equal.
/// </summary>
public sealed record JudgeAgreement(string Stage, string Judge, int Decided, int Agreeing)
{
    public double Rate => Decided == 0 ? double.NaN : Agreeing / (double)Decided;

    public static IReadOnlyList<JudgeAgreement> Collect(ResolvedRecipe recipe, RunLayout run, IResponseEvaluator evaluator) =>
        recipe.Stages.Where(s => s.Kind.Name == "label" && run.Stage(s.Id).IsDone).Select(stage =>
        {
            int decided = 0, agreeing = 0;
            string judge = "";
            foreach (var row in JsonlRowStore.ReadCompleted(run.Stage(stage.Id)))
            {
                judge = (string?)row["judge"]?["plugin"] ?? "";
                var prompt = new PromptRecord((string)row["prompt_id"]!, (string)row["prompt"]!, (string?)row["category"], null);
                int order = evaluator.Compare(prompt, (string)row["chosen"]!, (string)row["rejected"]!);
                if (order == 0) continue;
                decided++;
                if (order > 0) agreeing++;
            }
            return new JudgeAgreement(stage.Id, judge, decided, agreeing);
        }).ToList();
}
