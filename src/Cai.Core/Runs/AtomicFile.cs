using System.Text.Json;

namespace Cai.Core.Runs;

/// <summary>Writes that never leave a half-written file: write a temp file beside the target, then rename.</summary>
public static class AtomicFile
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void WriteAllText(string path, string contents) => Cai.Models.Training.AtomicFile.WriteAllText(path, contents);

    public static void WriteJson<T>(string path, T value) =>
        WriteAllText(path, JsonSerializer.Serialize(value, Json) + "\n");

    /// <summary>Moves a fully written directory into place, replacing any previous one.</summary>
    public static void ReplaceDirectory(string writtenDirectory, string finalDirectory)
    {
        string? old = null;
        if (Directory.Exists(finalDirectory))
        {
            old = $"{finalDirectory}.old-{Environment.ProcessId}";
            Directory.Move(finalDirectory, old);
        }
        Directory.Move(writtenDirectory, finalDirectory);
        if (old is not null) Directory.Delete(old, recursive: true);
    }
}
