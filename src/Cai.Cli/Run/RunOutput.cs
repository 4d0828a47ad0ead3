using System.Text.Json;
using Cai.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Cai.Cli.Run;

/// <summary>A progress bar per stage with ETA and the stage's live figure (loss, tokens/s).</summary>
public sealed class SpectreRunObserver : IRunObserver
{
    readonly Dictionary<string, ProgressTask> _tasks = [];
    ProgressContext? _progress;

    public void Attach(ProgressContext context) => _progress = context;

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
        if (!_tasks.TryGetValue(stageId, out var task))
        {
            task = _progress?.AddTask(Markup.Escape(description), autoStart: false)
                ?? throw new InvalidOperationException("progress display not attached");
            _tasks[stageId] = task;
        }
        return task;
    }
}

/// <summary>One JSON object per event on standard output (--json-log).</summary>
public sealed class JsonLogObserver(TextWriter output) : IRunObserver
{
    public void StageStarted(string stageId, string kind, long totalItems) => Write(new { @event = "stage_started", stage = stageId, kind, total = totalItems });
    public void StageProgress(string stageId, long completedItems, string? detail = null) => Write(new { @event = "progress", stage = stageId, completed = completedItems, detail });
    public void StageSkipped(string stageId, string reason) => Write(new { @event = "stage_skipped", stage = stageId, reason });
    public void StageFinished(string stageId, TimeSpan elapsed) => Write(new { @event = "stage_finished", stage = stageId, seconds = elapsed.TotalSeconds });

    void Write(object value)
    {
        lock (output) output.WriteLine(JsonSerializer.Serialize(value));
    }
}

/// <summary>Stage and plugin log lines on the console (warnings and errors only when quiet).</summary>
public sealed class ConsoleStageLogger(bool quiet) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= (quiet ? LogLevel.Warning : LogLevel.Information);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        string color = logLevel >= LogLevel.Error ? "red" : logLevel == LogLevel.Warning ? "yellow" : "grey";
        AnsiConsole.MarkupLine($"[{color}]{Markup.Escape(formatter(state, exception))}[/]");
    }
}
