using Cai.Core.Pipeline;
using Spectre.Console;

namespace Cai.Cli.Run;

/// <summary>A progress bar per stage with ETA and the stage's live figure (loss, tokens/s).</summary>
public sealed class SpectreRunObserver : IRunObserver
{
    readonly Dictionary<string, ProgressTask> tasks = [];
    ProgressContext? progress;

    public void Attach(ProgressContext context) => progress = context;

    public void StageStarted(string stageId, string kind, long totalItems)
    {
        var task = Task(stageId, $"{stageId} ({kind})");
        task.MaxValue = Math.Max(1, totalItems);
        task.IsIndeterminate = totalItems <= 0;
        task.StartTask();
    }

    public void StageProgress(string stageId, long completedItems, string? detail = null)
    {
        var task = Task(stageId, stageId);
        task.Value = Math.Min(completedItems, task.MaxValue);
        if (detail is not null) task.Description = Markup.Escape($"{stageId}: {detail}");
    }

    public void StageSkipped(string stageId, string reason)
    {
        var task = Task(stageId, Markup.Escape($"{stageId} ({reason})"));
        task.Value = task.MaxValue;
        task.StopTask();
    }

    public void StageFinished(string stageId, TimeSpan elapsed)
    {
        var task = Task(stageId, stageId);
        task.IsIndeterminate = false;
        task.Value = task.MaxValue;
        task.Description = Markup.Escape($"{stageId} done in {elapsed.TotalSeconds:F0} s");
        task.StopTask();
    }

    ProgressTask Task(string stageId, string description)
    {
        if (!tasks.TryGetValue(stageId, out var task))
        {
            task = progress?.AddTask(Markup.Escape(description), autoStart: false)
                ?? throw new InvalidOperationException("progress display not attached");
            tasks[stageId] = task;
        }
        return task;
    }
}
