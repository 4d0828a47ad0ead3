using System.Globalization;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Plugins.Feedback.Judging;
using Microsoft.Extensions.Logging;
using Preference = Cai.Abstractions.Feedback.Preference;
using JudgeAgreement = Cai.Plugins.Feedback.Judging.JudgeAgreement; // until plugins14 moves to Cai.Abstractions.Feedback.JudgeAgreement

namespace Cai.Plugins.Feedback.Judges;

/// <summary>
/// Combines member judges and/or several feedback models by mean probability or majority vote. Each rationale lists
/// the members' labels and their pairwise agreement; the batch's agreement is logged.
/// </summary>
[CaiPlugin(Name, Description = "Combine judges and/or feedback models by mean probability or majority vote; reports agreement.")]
public sealed class EnsembleJudge : IJudge, IDisposable
{
    /// <summary>The plugin's name in recipes.</summary>
    public const string Name = "ensemble";

    readonly PluginContext context;
    readonly EnsembleCombination combination;

    public EnsembleJudge(PluginContext context, EnsembleJudgeOptions options)
    {
        this.context = context;
        combination = options.Combination;
        Members = EnsembleMember.Create(context, options);
    }

    public IReadOnlyList<EnsembleMember> Members { get; }

    public async Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var labels = new List<double[]>();
        foreach (var member in Members)
            labels.Add(Checked(member, batch, await member.Judge.CompareAsync(batch, cancellationToken)));
        var combined = EnsembleLabel.Combine(labels, combination);
        Log(labels, combined);
        return batch.Select((r, i) => new Preference(r.ItemId, combined[i], Rationale(labels, i, combined[i]))).ToList();
    }

    public void Dispose()
    {
        foreach (var member in Members) member.Dispose();
    }

    static double[] Checked(EnsembleMember member, IReadOnlyList<ComparisonRequest> batch, IReadOnlyList<Preference> preferences)
    {
        if (preferences.Count != batch.Count || preferences.Where((p, i) => p.ItemId != batch[i].ItemId).Any())
            throw new InvalidOperationException($"member '{member.Name}' did not return one preference per request in order");
        return preferences.Select(p => p.ProbabilityA).ToArray();
    }

    string Rationale(List<double[]> labels, int item, double label)
    {
        var column = labels.Select(l => l[item]).ToArray();
        string members = string.Join(", ", Members.Select((m, k) => F($"{m.Name} P(A)={column[k]:0.00}")));
        string agreement = column.Length > 1 ? F($"; agreement {JudgeAgreement.Pairwise(column):0.00}") : "";
        return F($"{Key(combination)} of {column.Length}: P(A)={label:0.00} from {members}{agreement}");
    }

    void Log(List<double[]> labels, double[] combined)
    {
        if (labels.Count < 2) return;
        string withEnsemble = string.Join(", ", Members.Select((m, k) => F($"{m.Name} {JudgeAgreement.Between(labels[k], combined):0.00}")));
        context.Logger.LogInformation("ensemble of {Members} judges on {Items} comparisons: pairwise agreement {Agreement:0.00}; agreement with the ensemble: {WithEnsemble}",
            labels.Count, combined.Length, JudgeAgreement.Pairwise(labels), withEnsemble);
    }

    static string Key(EnsembleCombination combination) =>
        combination == EnsembleCombination.Mean ? "mean" : "majority vote";

    static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
