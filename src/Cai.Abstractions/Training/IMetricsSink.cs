namespace Cai.Abstractions.Training;

/// <summary>Receives metrics rows (the stage's metrics.jsonl).</summary>
public interface IMetricsSink
{
    /// <summary>Records the metrics of one step.</summary>
    /// <param name="step">The optimizer step.</param>
    /// <param name="metrics">Metric name to value, e.g. "loss", "lr", "kl", "reward".</param>
    void Log(long step, IReadOnlyDictionary<string, double> metrics);
}
