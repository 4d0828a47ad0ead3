using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Microsoft.Extensions.Logging;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>Options of the ensemble judge.</summary>
public sealed record EnsembleJudgeOptions : PluginOptions, IValidatableObject
{
    /// <summary>
    /// Member judges by name. "multiple-choice" and "chain-of-thought" join once per feedback model, with their
    /// default options; any other judge plugin (e.g. the sample "keyword") joins once, created by the host.
    /// </summary>
    [MinLength(1)]
    public IReadOnlyList<string> Members { get; init; } = ["multiple-choice"];

    /// <summary>Model roles the built-in members judge with; empty means every feedback model of the recipe
    /// ("feedback", "feedback.1", ...), or the policy when there is none.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>How members' labels become one: mean probability (a soft label) or majority vote (a hard label).</summary>
    public EnsembleCombination Combination { get; init; } = EnsembleCombination.Mean;

    /// <summary>An ensemble does not contain itself.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Members.Contains(EnsembleJudge.Name))
            yield return new ValidationResult($"must not contain '{EnsembleJudge.Name}' itself", [nameof(Members)]);
    }
}

/// <summary>
/// Combines member judges and/or several feedback models by mean probability or majority vote. Each rationale lists
/// the members' labels and their pairwise agreement; the batch's agreement is logged.
/// </summary>
[CaiPlugin(Name, Description = "Combine judges and/or feedback models by mean probability or majority vote; reports agreement.")]
public sealed class EnsembleJudge(PluginContext context, EnsembleJudgeOptions options) : IJudge, IDisposable
{
    /// <summary>The plugin's name in recipes.</summary>
    public const string Name = "ensemble";

    public IReadOnlyList<EnsembleMember> Members { get; } = EnsembleMember.Create(context, options);

    public async Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var preferences = new List<IReadOnlyList<Preference>>();
        foreach (var member in Members)
            preferences.Add(Checked(member, batch, await member.Judge.CompareAsync(batch, cancellationToken)));
        var labels = preferences.Select(p => p.Select(l => l.ProbabilityA).ToArray()).ToList();
        var combined = EnsembleLabel.Combine(labels, options.Combination);
        Log(labels, combined);
        return batch.Select((r, i) =>
        {
            var methods = Members.Select((m, k) => (m.Name, preferences[k][i].Method)).Where(m => m.Method is not null)
                .ToDictionary(m => m.Name, m => m.Method!.Value);
            return new Preference(r.ItemId, combined[i], Rationale(labels, i, combined[i]))
            {
                MemberLabels = Members.Select((m, k) => (m.Name, labels[k][i])).ToDictionary(),
                MemberMethods = methods,
                Method = methods.Count == Members.Count && methods.Values.Distinct().Count() == 1 ? methods.Values.First() : null,
            };
        }).ToList();
    }

    public void Dispose()
    {
        foreach (var member in Members) member.Dispose();
    }

    static IReadOnlyList<Preference> Checked(EnsembleMember member, IReadOnlyList<ComparisonRequest> batch, IReadOnlyList<Preference> preferences)
    {
        if (preferences.Count != batch.Count || preferences.Where((p, i) => p.ItemId != batch[i].ItemId).Any())
            throw new InvalidOperationException($"member '{member.Name}' did not return one preference per request in order");
        return preferences;
    }

    string Rationale(List<double[]> labels, int item, double label)
    {
        var column = labels.Select(l => l[item]).ToArray();
        string members = string.Join(", ", Members.Select((m, k) => F($"{m.Name} P(A)={column[k]:0.00}")));
        string agreement = column.Length > 1 ? $"; agreement {Rate(JudgeAgreement.Pairwise([.. column.Select(p => new[] { p })]))}" : "";
        return F($"{Key(options.Combination)} of {column.Length}: P(A)={label:0.00} from {members}{agreement}");
    }

    void Log(List<double[]> labels, double[] combined)
    {
        if (labels.Count < 2) return;
        string withEnsemble = string.Join(", ", Members.Select((m, k) => $"{m.Name} {Rate(JudgeAgreement.Between(labels[k], combined))}"));
        context.Logger.LogInformation(
            "ensemble of {Members} judges on {Items} comparisons: pairwise agreement {Agreement}; "
            + "agreement with the ensemble: {WithEnsemble}",
            labels.Count, combined.Length, Rate(JudgeAgreement.Pairwise(labels)), withEnsemble);
    }

    /// <summary>The agreement rate to two decimals; n/a when no item was decided (every pair has a side that calls it even).</summary>
    static string Rate(JudgeAgreement agreement) => double.IsNaN(agreement.Rate) ? "n/a" : F($"{agreement.Rate:0.00}");

    static string Key(EnsembleCombination combination) =>
        combination == EnsembleCombination.Mean ? "mean" : "majority vote";

    static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One judge of an ensemble, named as it appears in rationales and logs, e.g. "multiple-choice@feedback.1".</summary>
public sealed record EnsembleMember(string Name, IJudge Judge) : IDisposable
{
    /// <summary>The members <paramref name="options"/> asks for: built-in model judges per model role, others from the host.</summary>
    public static IReadOnlyList<EnsembleMember> Create(PluginContext context, EnsembleJudgeOptions options)
    {
        if (options.Members.Count == 0) throw new ArgumentException("an ensemble needs at least one member judge");
        var roles = options.Models.Count > 0 ? options.Models : FeedbackModel.Roles(context);
        var members = new List<EnsembleMember>();
        try
        {
            foreach (string name in options.Members)
            {
                if (name == EnsembleJudge.Name) throw new ArgumentException("an ensemble cannot be its own member");
                if (name is MultipleChoice or ChainOfThought)
                    members.AddRange(roles.Select(role => BuiltIn(context, name, role)));
                else
                    members.Add(new EnsembleMember(name, context.ResolveJudge(name)));
            }
            return members;
        }
        catch
        {
            foreach (var member in members) member.Dispose();
            throw;
        }
    }

    /// <summary>Disposes judges the ensemble created through the host.</summary>
    public void Dispose()
    {
        if (Judge is IAsyncDisposable asyncDisposable) asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
        else (Judge as IDisposable)?.Dispose();
    }

    const string MultipleChoice = "multiple-choice";
    const string ChainOfThought = "chain-of-thought";

    static EnsembleMember BuiltIn(PluginContext context, string name, string role)
    {
        string memberName = $"{name}@{role}";
        // Its own provenance name gives each member its own sampling seed.
        var memberContext = new PluginContext(context.Models, context.Constitution, context.Seed, context.Logger,
            context.Provenance with { PluginName = $"{context.Provenance.PluginName}/{memberName}" });
        IJudge judge = name == MultipleChoice
            ? new MultipleChoiceJudge(memberContext, new MultipleChoiceJudgeOptions { Model = role })
            : new ChainOfThoughtJudge(memberContext, new ChainOfThoughtJudgeOptions { Model = role });
        return new EnsembleMember(memberName, judge);
    }
}
