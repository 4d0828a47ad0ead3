namespace Cai.Core.Pipeline;

/// <summary>One stage kind's work. Writes go through the stage folder; the runner writes the done marker.</summary>
public interface IStage
{
    /// <summary>Runs (or resumes) the stage and returns its summary for the done marker.</summary>
    Task<StageOutcome> RunAsync(StageContext context);
}

/// <summary>What a finished stage leaves: row count, summary metrics and the model roles it moved to new checkpoints.</summary>
public sealed record StageOutcome(long Rows, IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, string> ModelUpdates)
{
    public static StageOutcome OfRows(long rows) => new(rows, new Dictionary<string, double>(), new Dictionary<string, string>());
}
