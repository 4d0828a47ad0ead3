using System.Text.Json;
using Cai.Core.Runs;

namespace Cai.Core.Pipeline;

/// <summary>The done marker of a stage: its existence means the stage finished; it records the outcome.</summary>
public sealed record StageMarker(string Stage, string Kind, DateTimeOffset CompletedAt, double Seconds, StageOutcome Outcome)
{
    public void Write(StageLayout layout) => AtomicFile.WriteJson(layout.DoneMarker, this);

    public static StageMarker Read(StageLayout layout) =>
        JsonSerializer.Deserialize<StageMarker>(File.ReadAllText(layout.DoneMarker), AtomicFile.Json)
        ?? throw new InvalidDataException($"empty done marker {layout.DoneMarker}");
}
