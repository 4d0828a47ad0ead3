using System.Text;

namespace Cai.Sandbox.IO;

/// <summary>Writes a whole text file atomically: a temp file beside the target, then a rename.</summary>
internal static class AtomicText
{
    public static void Write(string path, string contents) => Write(path, writer => writer.Write(contents));

    public static void Write(string path, Action<TextWriter> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}.tmp-{Environment.ProcessId}";
        try
        {
            using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)) { NewLine = "\n" })
                write(writer);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
