using System.Globalization;
using System.Text;
using Cai.Abstractions.Evaluation;
using Cai.Core.Evaluation;
using Cai.Core.Pipeline;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Models.IO;

namespace Cai.Core.Reports;

/// <summary>
/// Writes a run's report.md and plots/*.png from its stage folders. The evaluation tables and plots show the labels the
/// evaluator declares (<see cref="IResponseEvaluator.Labels"/>), whatever they are.
/// </summary>
public static class RunReport
{
    public static string Write(ResolvedRecipe recipe, RunLayout run, IResponseEvaluator? evaluator)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Run report: {recipe.Recipe.Name}").AppendLine();
        md.AppendLine($"Run folder `{run.Root}`, seed {recipe.Recipe.Seed}.").AppendLine();
        StageTable(md, recipe, run);

        var evaluations = Evaluations(recipe, run);
        if (evaluator is not null && evaluations.Count > 0)
        {
            var shown = evaluator.Labels.Where(l => l.Shown).ToList();
            EvaluationTable(md, evaluations, evaluator.Labels);
            var sets = evaluations.SelectMany(e => e.Rates.Keys).Select(k => k.Split('/')[0]).Distinct().Order().ToList();
            var groups = sets.SelectMany(set => shown.Select(l => $"{set}/{l.Id}")).Where(k => evaluations.Any(e => e.Rates.ContainsKey(k))).ToList();
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

        foreach (var bad in evaluator?.Labels.Where(l => l.IsBad) ?? [])
            if (RevisionRoundRates.Collect(recipe, run, evaluator!, bad.Id) is { Count: > 0 } rounds)
            {
                md.AppendLine($"## Share of responses labelled {bad.Name}, by revision round").AppendLine();
                md.AppendLine("| stage | " + string.Join(" | ", Enumerable.Range(0, rounds[0].RateByRound.Count).Select(r => r == 0 ? "initial" : $"round {r}")) + " |");
                md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", rounds[0].RateByRound.Count)));
                foreach (var r in rounds) md.AppendLine($"| {r.Stage} | " + string.Join(" | ", r.RateByRound.Select(Percent)) + " |");
                string plot = $"revision-rounds{(bad == evaluator!.Labels.First(l => l.IsBad) ? "" : "-" + bad.Id)}.png";
                ReportPlots.ByRound(Path.Combine(run.Plots, plot), $"Share labelled {bad.Name} by revision round (0 = initial response)", rounds);
                md.AppendLine().AppendLine($"![revision rounds](plots/{plot})").AppendLine();
            }
        if (evaluator is not null && FeedbackAgreement.Judges(recipe, run, evaluator) is { Count: > 0 } agreements)
        {
            md.AppendLine("## AI feedback against the independent evaluator").AppendLine();
            md.AppendLine("| label stage | judge | prompt set | pairs the evaluator ranks and the judge does not call even | judge chose the evaluator's better response | pairs the judge called even (p = 0.5) | label method |")
                .AppendLine("|---|---|---|---|---|---|---|");
            foreach (var a in agreements)
                md.AppendLine($"| {a.Stage} | {a.Judge} | {a.PromptSet} | {a.Counts.Decided} | {(a.Counts.Decided == 0 ? "–" : Percent(a.Counts.Rate))} | {a.Counts.Ties} | {a.Method} |");
            md.AppendLine();
        }
        if (evaluator is not null && FeedbackAgreement.RewardModels(recipe, run, evaluator) is { Count: > 0 } rewardModels)
        {
            md.AppendLine("## Reward model against the independent evaluator").AppendLine();
            md.AppendLine("| train stage | held-out pairs the evaluator ranks | reward model scored the evaluator's better response higher |").AppendLine("|---|---|---|");
            foreach (var r in rewardModels) md.AppendLine($"| {r.Stage} | {r.Counts.Decided} | {(r.Counts.Decided == 0 ? "–" : Percent(r.Counts.Rate))} |");
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

    /// <summary>The label rates of an evaluate stage (its done marker's metrics, "{set}/{label}").</summary>
    sealed record Evaluation(string Stage, IReadOnlyDictionary<string, double> Rates, long Rows)
    {
        public double Rate(string key) => Rates.TryGetValue(key, out double rate) ? rate : 0;
    }

    /// <summary>Each finished evaluate stage, in run order: before and after each phase.</summary>
    static List<Evaluation> Evaluations(ResolvedRecipe recipe, RunLayout run) =>
        recipe.Stages.Where(s => s.Kind.Name == "evaluate" && run.Stage(s.Id).IsDone)
            .Select(s => StageMarker.Read(run.Stage(s.Id)))
            .Select(m => new Evaluation(m.Stage, m.Outcome.Metrics, m.Outcome.Rows))
            .ToList();

    static void EvaluationTable(StringBuilder md, IReadOnlyList<Evaluation> evaluations, IReadOnlyList<ResponseLabel> labels)
    {
        var shown = labels.Where(l => l.Shown).ToList();
        md.AppendLine("## Evaluation (independent evaluator, held-out prompts)").AppendLine();
        md.AppendLine($"| stage | {string.Join(" | ", shown.Select(l => l.Name))} | responses |").AppendLine($"|---|{string.Concat(shown.Select(_ => "---|"))}---|");
        foreach (var e in evaluations)
        {
            // A label no response received is 0% when a label of its group was given, and "–" when none was.
            bool Has(string label) => e.Rates.Keys.Any(k => k.EndsWith("/" + label, StringComparison.Ordinal));
            string Find(ResponseLabel label) =>
                e.Rates.Where(r => r.Key.EndsWith("/" + label.Id, StringComparison.Ordinal)).Select(r => Percent(r.Value)).FirstOrDefault()
                ?? (labels.Where(l => l.Group == label.Group).Any(l => Has(l.Id)) ? Percent(0) : "–");
            md.AppendLine($"| {e.Stage} | {string.Join(" | ", shown.Select(Find))} | {e.Rows} |");
        }
        md.AppendLine();
    }

    static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
