using Cai.Abstractions.Training;
using Cai.Models.Training;

namespace Cai.Plugins.Training.Preferences;

/// <summary>
/// The metrics of a preference trainer (reward, dpo): the loop's row plus the means of the train window (or, after an
/// evaluation, the eval window with an "eval_" prefix), logged and reported; the latest value of each name is kept.
/// </summary>
internal sealed class PreferenceMetrics
{
    public MetricWindow Train { get; } = new();
    public MetricWindow Eval { get; } = new();
    public Dictionary<string, double> Last { get; } = new(StringComparer.Ordinal);

    public void Log(TrainingMetrics m, ITrainingContext training)
    {
        var row = new Dictionary<string, double>(m.ToRow());
        foreach (var (name, value) in m.EvalLoss is null ? Train.Flush() : Eval.Flush("eval_")) row[name] = value;
        training.Metrics.Log(m.Step, row);
        foreach (var (name, value) in row) Last[name] = value;
        training.Progress.Report(new TrainingProgress(m.Step, 0, m.Epoch, m.Loss));
    }
}

/// <summary>Weighted means of named metrics since the last flush (a logging window, or one pass over the eval set).</summary>
internal sealed class MetricWindow
{
    private readonly Dictionary<string, (double Sum, double Weight)> _values = new(StringComparer.Ordinal);

    /// <summary>Adds a value (a batch mean) with its weight (e.g. the batch's pairs); a zero weight is ignored.</summary>
    public void Add(string name, double value, double weight = 1)
    {
        if (weight <= 0 || !double.IsFinite(value)) return;
        var (sum, total) = _values.GetValueOrDefault(name);
        _values[name] = (sum + value * weight, total + weight);
    }

    /// <summary>The means, named with <paramref name="prefix"/>, and an empty window.</summary>
    public Dictionary<string, double> Flush(string prefix = "")
    {
        var means = _values.ToDictionary(v => prefix + v.Key, v => v.Value.Sum / v.Value.Weight, StringComparer.Ordinal);
        _values.Clear();
        return means;
    }
}
