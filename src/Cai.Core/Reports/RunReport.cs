using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cai.Core.Pipeline;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Models.IO;

namespace Cai.Core.Reports;

/// <summary>Writes a run's report.md and plots/*.png from its stage folders.</summary>
public static class RunReport
{
    static readonly string[] Columns = ["harmful", "evasive", "harmless_engaged", "helpful"];

    public static string Write(ResolvedRecipe recipe, RunLayout run, IResponseEvaluator? evaluator)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Run report: {recipe.Recipe.Name}").AppendLine();
        md.AppendLine($"Run folder `{run.Root}`, seed {recipe.Recipe.Seed}.").AppendLine();
        StageTable(md, recipe, run);

        var evaluations = EvaluationSummary.Collect(recipe, run);
        if (evaluations.Count > 0)
        {
            EvaluationTable(md, evaluations);
            var sets = evaluations.SelectMany(e => e.Rates.Keys).Select(k => k.Split('/')[0]).Distinct().Order().ToList();
            var groups = sets.SelectMany(set => Columns.Select(c => $"{set}/{c}")).Where(k => evaluations.Any(e => e.Rates.ContainsKey(k))).ToList();
            ReportPlots.Rates(Path.Combine(run.Plots, "evaluation.png"), "Evaluator label rates by stage",
                groups.Select(g => g.Replace("eval_", "")).ToList(),
                evaluations.Select(e => (e.Stage, groups.Select(e.Rate).ToArray())).ToList());
            md.AppendLine("![evaluation](plots/evaluation.png)").AppendLine();
        }

        var losses = recipe.Stages.Where(s => s.Kind.Name == "train" && File.Exists(run.Stage(s.Id).Metrics))
            .ToDictionary(s => s.Id, s => new MetricsLog(run.Stage(s.Id).Metrics).Read());
        if (losses.Values.Any(rows => rows.Any(r => r["loss"] is not null)))
        {
            ReportPlots.TrainingLoss(Path.Combine(run.Plots, "training-loss.png"), losses);
            md.AppendLine("## Training").AppendLine().AppendLine("![training loss](plots/training-loss.png)").AppendLine();
        }

        if (evaluator is not null && RevisionRoundHarm.Collect(recipe, run, evaluator, "harmful") is { Count: > 0 } rounds)
        {
            md.AppendLine("## Harmfulness by revision round").AppendLine();
            md.AppendLine("| stage | " + string.Join(" | ", Enumerable.Range(0, rounds[0].RateByRound.Count).Select(r => r == 0 ? "initial" : $"round {r}")) + " |");
            md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", rounds[0].RateByRound.Count)));
            foreach (var r in rounds) md.AppendLine($"| {r.Stage} | " + string.Join(" | ", r.RateByRound.Select(Percent)) + " |");
            ReportPlots.ByRound(Path.Combine(run.Plots, "revision-rounds.png"), rounds);
            md.AppendLine().AppendLine("![revision rounds](plots/revision-rounds.png)").AppendLine();
        }
        if (evaluator is not null && JudgeAgreement.Collect(recipe, run, evaluator) is { Count: > 0 } agreements)
        {
            md.AppendLine("## AI feedback against the independent evaluator").AppendLine();
            md.AppendLine("| label stage | judge | prompt set | pairs the evaluator ranks and the judge does not call even | judge chose the evaluator's better response | pairs the judge called even (p = 0.5) |")
                .AppendLine("|---|---|---|---|---|---|");
            foreach (var a in agreements)
                md.AppendLine($"| {a.Stage} | {a.Judge} | {a.PromptSet} | {a.Decided} | {(a.Decided == 0 ? "–" : Percent(a.Rate))} | {a.Ties} |");
            md.AppendLine();
        }
        if (evaluator is not null && RewardModelAgreement.Collect(recipe, run, evaluator) is { Count: > 0 } rewardModels)
        {
            md.AppendLine("## Reward model against the independent evaluator").AppendLine();
            md.AppendLine("| train stage | held-out pairs the evaluator ranks | reward model scored the evaluator's better response higher |").AppendLine("|---|---|---|");
            foreach (var r in rewardModels) md.AppendLine($"| {r.Stage} | {r.Decided} | {(r.Decided == 0 ? "–" : Percent(r.Rate))} |");
            md.AppendLine();
        }
        AtomicFile.WriteAllText(run.Report, md.ToString());
        return run.Report;
    }

    static void StageTable(StringBuilder md, ResolvedRecipe recipe, RunLayout run)
    {
        md.AppendLine("## Stages").AppendLine().AppendLine("| stage | kind | seconds | rows | device | dtype | peak memory | metrics |")
            .AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var stage in recipe.Stages)
        {
            var layout = run.Stage(stage.Id);
            if (!layout.IsDone) { md.AppendLine($"| {stage.Id} | {stage.Kind.Name} | not run | | | | | |"); continue; }
            var marker = StageMarker.Read(layout);
            string metrics = string.Join(", ", marker.Outcome.Metrics.OrderBy(m => m.Key).Take(8).Select(m => $"{m.Key} {m.Value.ToString("0.###", CultureInfo.InvariantCulture)}"));
            md.AppendLine($"| {stage.Id} | {stage.Kind.Name} | {marker.Seconds:F0} | {marker.Outcome.Rows} | {marker.Device ?? "–"} | {marker.Dtype ?? "–"} | {marker.PeakMemory?.ToString() ?? "–"} | {metrics} |");
        }
        md.AppendLine();
        if (recipe.Stages.Select(s => run.Stage(s.Id)).Any(l => l.IsDone))
            md.AppendLine("Peak memory: cuda-device-used is the most memory in use on the GPU while the stage ran (cudaMemGetInfo, whole device, "
                + "libtorch's cache included); process-peak-rss is the process's peak resident set (VmHWM).").AppendLine();
    }

    static void EvaluationTable(StringBuilder md, IReadOnlyList<EvaluationSummary> evaluations)
    {
        md.AppendLine("## Evaluation (independent evaluator, held-out prompts)").AppendLine();
        md.AppendLine("| stage | harmful | evasive | harmless-engaged | helpful (benign) | responses |").AppendLine("|---|---|---|---|---|---|");
        foreach (var e in evaluations)
        {
            // A label no response received is 0% when its prompt kind was evaluated, and "–" when it was not.
            bool Has(string label) => e.Rates.Keys.Any(k => k.EndsWith("/" + label, StringComparison.Ordinal));
            string Find(string label, params string[] kind) =>
                e.Rates.Where(r => r.Key.EndsWith("/" + label, StringComparison.Ordinal)).Select(r => Percent(r.Value)).FirstOrDefault()
                ?? (kind.Any(Has) ? Percent(0) : "–");
            string[] redTeam = ["harmful", "evasive", "harmless_engaged"], benign = ["helpful", "not_helpful"];
            md.AppendLine($"| {e.Stage} | {Find("harmful", redTeam)} | {Find("evasive", redTeam)} | {Find("harmless_engaged", redTeam)} | {Find("helpful", benign)} | {e.Rows} |");
        }
        md.AppendLine();
    }

    static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
