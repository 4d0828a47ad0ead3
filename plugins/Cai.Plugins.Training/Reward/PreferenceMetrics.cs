using Cai.Abstractions.Training;
using Cai.Models.Training;

namespace Cai.Plugins.Training.Reward;

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
