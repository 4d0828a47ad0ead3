using Cai.Abstractions.Training;
using Cai.Core.Pipeline;
using Cai.Core.Recipes;
using Cai.Core.Runs;

namespace Cai.Core.Reports;

/// <summary>
/// How often a trained reward model scored higher the response that the independent evaluator ranks higher, over
/// the reward model's held-out comparisons (<see cref="TrainingArtifacts.RewardModelPredictions"/>) that the evaluator does not rank equal.
/// </summary>
public sealed record RewardModelAgreement(string Stage, int Decided, int Agreeing)
{
    public double Rate => Decided == 0 ? double.NaN : Agreeing / (double)Decided;

    public static IReadOnlyList<RewardModelAgreement> Collect(ResolvedRecipe recipe, RunLayout run, IResponseEvaluator evaluator)
    {
        var labelled = LabelledPairs.Stages(recipe, run)
            .SelectMany(s => JsonlRowStore.ReadCompleted(run.Stage(s.Id)))
            .GroupBy(r => (string)r["id"]!).ToDictionary(g => g.Key, g => g.Last());
        var agreements = new List<RewardModelAgreement>();
        foreach (var stage in recipe.Stages.Where(s => run.Stage(s.Id).IsDone))
        {
            string path = Path.Combine(run.Stage(stage.Id).Directory, TrainingArtifacts.RewardModelPredictions);
            if (!File.Exists(path)) continue;
            int decided = 0, agreeing = 0;
            foreach (var prediction in JsonlRowStore.ReadFile(path))
            {
                if (!labelled.TryGetValue((string)prediction["id"]!, out var row)) continue;
                int order = LabelledPairs.EvaluatorOrder(row, evaluator);
                if (order == 0) continue;
                double margin = (double)prediction["reward_chosen"]! - (double)prediction["reward_rejected"]!;
                decided++;
                if (Math.Sign(margin) == Math.Sign(order)) agreeing++;
            }
            agreements.Add(new RewardModelAgreement(stage.Id, decided, agreeing));
        }
        return agreements;
    }
}
