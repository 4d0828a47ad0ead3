using System.Text.Json;
using Cai.Core.Pipeline;

namespace Cai.Cli.Run;

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
