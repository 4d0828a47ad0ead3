using Cai.Core.Runs;
using Cai.Models.IO;

namespace Cai.Core.Pipeline.Stages;

/// <summary>Copies a checkpoint folder to another place, replacing what was there only once the copy is complete.</summary>
public static class CheckpointCopy
{
    public static void Replace(string source, string destination)
    {
        string partial = destination.TrimEnd('/', '\\') + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        foreach (string file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(partial, Path.GetFileName(file)));
        AtomicFile.ReplaceDirectory(partial, destination);
    }
}
