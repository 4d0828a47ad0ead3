namespace Cai.Models.Training;

/// <summary>What the loop reports every logging step (means since the previous report) and after evaluations.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="Epoch">Fractional epoch.</param>
/// <param name="Loss">Mean training loss since the last report (null in eval-only reports).</param>
/// <param name="LearningRate">Learning rate of the last step.</param>
/// <param name="GradNorm">Global gradient norm before clipping, of the last step.</param>
/// <param name="TokensPerSecond">Real tokens processed per second since the last report.</param>
/// <param name="EvalLoss">Mean loss on the eval batches, when evaluated at this step.</param>
public sealed record TrainingMetrics(int Step, double Epoch, double? Loss, double LearningRate, double? GradNorm, double? TokensPerSecond, double? EvalLoss = null)
{
    /// <summary>A metrics.jsonl row in snake_case names; absent values are left out.</summary>
    public IReadOnlyDictionary<string, double> ToRow()
    {
        var row = new Dictionary<string, double> { ["epoch"] = Epoch, ["learning_rate"] = LearningRate };
        if (Loss is { } loss) row["loss"] = loss;
        if (GradNorm is { } norm) row["grad_norm"] = norm;
        if (TokensPerSecond is { } speed) row["tokens_per_second"] = speed;
        if (EvalLoss is { } eval) row["eval_loss"] = eval;
        return row;
    }
}
