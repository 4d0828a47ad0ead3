using System.Text.Json;
using Cai.Core.Runs;

namespace Cai.Core.Pipeline;

/// <summary>
/// The done marker of a stage: its existence means the stage finished; it records the outcome, the device and dtype
/// the stage ran with and its peak memory (null in markers of older runs).
/// </summary>
public sealed record StageMarker(
    string Stage, string Kind, DateTimeOffset CompletedAt, double Seconds, StageOutcome Outcome,
    string? Device = null, string? Dtype = null, PeakMemory? PeakMemory = null)
{
    public void Write(StageLayout layout) => RunLayout.WriteJson(layout.DoneMarker, this);

    public static StageMarker Read(StageLayout layout) =>
        JsonSerializer.Deserialize<StageMarker>(File.ReadAllText(layout.DoneMarker), RunLayout.Json)
        ?? throw new InvalidDataException($"empty done marker {layout.DoneMarker}");
}
