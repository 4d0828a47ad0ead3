namespace Cai.Core.Pipeline;

/// <summary>What a run reports while it works: the CLI draws progress bars from it, tests record it.</summary>
public interface IRunObserver
{
    void StageStarted(string stageId, string kind, long totalItems);

    /// <summary>Items done so far (including those done before a resume) and an optional live figure (e.g. tokens/s).</summary>
    void StageProgress(string stageId, long completedItems, string? detail = null);

    void StageSkipped(string stageId, string reason);

    void StageFinished(string stageId, TimeSpan elapsed);
}

/// <summary>Reports nothing.</summary>
public sealed class NullRunObserver : IRunObserver
{
    public static readonly NullRunObserver Instance = new();
    public void StageStarted(string stageId, string kind, long totalItems) { }
    public void StageProgress(string stageId, long completedItems, string? detail = null) { }
    public void StageSkipped(string stageId, string reason) { }
    public void StageFinished(string stageId, TimeSpan elapsed) { }
}
