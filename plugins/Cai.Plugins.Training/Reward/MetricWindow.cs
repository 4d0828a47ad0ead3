namespace Cai.Plugins.Training.Reward;

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
