using System.Text.Json.Nodes;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Training;
using Cai.Core.Evaluation;
using Cai.Core.Recipes;
using Cai.Core.Runs;

namespace Cai.Core.Reports;

/// <summary>
/// AI feedback held against the independent evaluator: how often a label stage's judge, and a trained reward model,
/// prefer the response the evaluator ranks higher. Counted with <see cref="JudgeAgreement"/>'s one rule: pairs the
/// judge calls even (p_chosen = 0.5) are ties, counted apart; pairs the evaluator ranks equal are left out. An ensemble
/// judge's members are counted one by one beside it.
/// </summary>
public static class FeedbackAgreement
{
    /// <summary>One label stage's judge on one prompt set ("all": the stage's total when it has several), with how its model
    /// scored the choices (the rows' label_method: logprobs, top-logprobs, votes; "–" when none is recorded).</summary>
    public sealed record JudgeRow(string Stage, string Judge, string PromptSet, JudgeAgreement Counts, string Method);

    /// <summary>A reward model (a train stage that wrote <see cref="TrainingArtifacts.RewardModelPredictions"/>) on its held-out
    /// pairs.</summary>
    public sealed record RewardModelRow(string Stage, JudgeAgreement Counts);

    /// <summary>One row per finished label stage and prompt set, then the stage's total when it has several sets, then one per
    /// member of an ensemble judge (over the same pairs).</summary>
    public static IReadOnlyList<JudgeRow> Judges(ResolvedRecipe recipe, RunLayout run, IResponseEvaluator evaluator) =>
        LabelStages(recipe, run).SelectMany(stage =>
        {
            var rows = JsonlRowStore.ReadCompleted(run.Stage(stage.Id));
            string judge = rows.Select(r => (string?)r["judge"]?["plugin"]).LastOrDefault(j => j is not null) ?? "";
            var bySet = rows.GroupBy(r => (string?)r["prompt_set"] ?? "")
                .Select(set => new JudgeRow(stage.Id, judge, set.Key, set.Aggregate(new JudgeAgreement(),
                    (counts, row) => counts.Add((double?)row["p_chosen"] ?? 1.0, EvaluatorPreference(row, evaluator))),
                    Methods(set.Select(r => r["label_method"]))))
                .ToList();
            List<JudgeRow> judged = bySet.Count == 1 ? bySet
                : [.. bySet, new JudgeRow(stage.Id, judge, "all", bySet.Aggregate(new JudgeAgreement(), (sum, r) => sum + r.Counts),
                    Methods(rows.Select(r => r["label_method"])))];
            // An ensemble's members, each on every pair, beside the combined label.
            var members = rows.SelectMany(r => (r["members"] as JsonObject)?.Select(m => m.Key) ?? []).Distinct().ToList();
            return judged.Concat(members.Select(member => new JudgeRow(stage.Id, $"member {member}", judged[^1].PromptSet, rows
                .Where(r => r["members"]?[member] is not null)
                .Aggregate(new JudgeAgreement(), (counts, row) => counts.Add(MemberChosen(row, member), EvaluatorPreference(row, evaluator))),
                Methods(rows.Select(r => r["member_methods"]?[member])))));
        }).ToList();

    /// <summary>The distinct scoring methods rows name, or "–".</summary>
    static string Methods(IEnumerable<JsonNode?> methods) =>
        string.Join(", ", methods.Select(m => (string?)m).OfType<string>().Distinct()) is { Length: > 0 } named ? named : "–";

    /// <summary>A member's P(chosen) for a label row: its P(A), or 1 − P(A) when the row chose B.</summary>
    static double MemberChosen(JsonObject row, string member)
    {
        double pA = (double)row["members"]![member]!;
        return (string?)row["chosen"] == (string?)row["response_a"] ? pA : 1 - pA;
    }

    /// <summary>One row per finished stage that left reward-model predictions, over the predictions of labelled pairs.</summary>
    public static IReadOnlyList<RewardModelRow> RewardModels(ResolvedRecipe recipe, RunLayout run, IResponseEvaluator evaluator)
    {
        var labelled = LabelStages(recipe, run)
            .SelectMany(s => JsonlRowStore.ReadCompleted(run.Stage(s.Id)))
            .GroupBy(r => (string)r["id"]!).ToDictionary(g => g.Key, g => g.Last());
        var rows = new List<RewardModelRow>();
        foreach (var stage in recipe.Stages.Where(s => run.Stage(s.Id).IsDone))
        {
            string path = Path.Combine(run.Stage(stage.Id).Directory, TrainingArtifacts.RewardModelPredictions);
            if (!File.Exists(path)) continue;
            var counts = new JudgeAgreement();
            foreach (var prediction in JsonlRowStore.ReadFile(path))
            {
                if (!labelled.TryGetValue((string)prediction["id"]!, out var row)) continue;
                double margin = (double)prediction["reward_chosen"]! - (double)prediction["reward_rejected"]!;
                // The evaluator's ties are left out before the reward model's: a pair it ranks equal is not a held-out comparison here.
                double reference = EvaluatorPreference(row, evaluator);
                if (Preference.Decide(reference) == PreferredResponse.Tie) continue;
                counts = counts.Add(margin > 0 ? 1 : margin < 0 ? 0 : 0.5, reference);
            }
            rows.Add(new RewardModelRow(stage.Id, counts));
        }
        return rows;
    }

    static IEnumerable<ResolvedStage> LabelStages(ResolvedRecipe recipe, RunLayout run) =>
        recipe.Stages.Where(s => s.Kind.Name == "label" && run.Stage(s.Id).IsDone);

    /// <summary>The evaluator's preference for a label row's chosen over its rejected response, as P(chosen): 1, 0, or 0.5 when
    /// equal.</summary>
    static double EvaluatorPreference(JsonObject row, IResponseEvaluator evaluator)
    {
        int order = evaluator.Compare(new PromptRecord((string)row["prompt_id"]!, (string)row["prompt"]!, (string?)row["category"]),
            (string)row["chosen"]!, (string)row["rejected"]!);
        return order > 0 ? 1 : order < 0 ? 0 : 0.5;
    }
}
