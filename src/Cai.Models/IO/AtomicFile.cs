using System.Text;
using System.Text.RegularExpressions;

namespace Cai.Models.IO;

/// <summary>
/// The one way files and folders are put in place: written completely under a temporary name beside the target, then
/// renamed over it, so a reader (or a run resumed after a crash) never sees half of one. Run files, datasets, reports,
/// plots, checkpoints, tokenizer files, training states and the toy world's files are all written through it.
/// </summary>
public static partial class AtomicFile
{
    static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes a file through <paramref name="write"/> into a temp file beside it, then renames it into place.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}.tmp-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes UTF-8 text (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string contents) => Write(path, stream => stream.Write(_utf8.GetBytes(contents)));

    /// <summary>Writes UTF-8 text (no byte-order mark, "\n" line ends) through a writer, for files too large to hold as one
    /// string.</summary>
    public static void WriteText(string path, Action<TextWriter> write) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, _utf8, leaveOpen: true) { NewLine = "\n" };
        write(writer);
    });

    /// <summary>Puts a file that was written in full under another name (e.g. a row store's partial file) in place of <paramref
    /// name="path"/>.</summary>
    public static void Promote(string writtenFile, string path) => File.Move(writtenFile, path, overwrite: true);

    /// <summary>
    /// Writes a folder through <paramref name="write"/> (given a new temporary folder beside <paramref name="directory"/>)
    /// and then puts it in place of <paramref name="directory"/>; the temporary folder is removed if writing fails.
    /// </summary>
    public static void WriteDirectory(string directory, Action<string> write)
    {
        directory = Path.GetFullPath(directory);
        string parent = Path.GetDirectoryName(directory)
            ?? throw new ArgumentException("A folder written atomically needs a parent.", nameof(directory));
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(directory)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            write(temp);
            ReplaceDirectory(temp, directory);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>Puts a fully written folder in place of <paramref name="directory"/>, replacing any previous one.</summary>
    public static void ReplaceDirectory(string writtenDirectory, string directory)
    {
        directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (!Directory.Exists(directory))
        {
            Directory.Move(writtenDirectory, directory);
            return;
        }
        string old = Path.Combine(Path.GetDirectoryName(directory)!, $".{Path.GetFileName(directory)}.old-{Guid.NewGuid():N}");
        Directory.Move(directory, old);
        Directory.Move(writtenDirectory, directory);
        Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Removes what writers killed mid-write left under <paramref name="folder"/> (and its subfolders): temporary files
    /// and folders; a folder moved aside for its replacement that never arrived is put back. Call it only while nothing
    /// writes there (a run holds its run lock).
    /// </summary>
    public static void RemoveLeftovers(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (string sub in Directory.GetDirectories(folder))
        {
            string name = Path.GetFileName(sub);
            if (TemporaryFolder().Match(name) is { Success: true } match)
            {
                string target = Path.Combine(folder, match.Groups["name"].Value);
                if (match.Groups["kind"].Value == "old" && !Directory.Exists(target)) Directory.Move(sub, target);
                else Directory.Delete(sub, recursive: true);
            }
        }
        foreach (string file in Directory.GetFiles(folder).Where(f => TemporaryFile().IsMatch(Path.GetFileName(f))))
            File.Delete(file);
        foreach (string sub in Directory.GetDirectories(folder)) RemoveLeftovers(sub);
    }

    [GeneratedRegex(@"^\.(?<name>.+)\.(?<kind>tmp|old)-[0-9a-f]{32}$")]
    private static partial Regex TemporaryFolder();

    [GeneratedRegex(@"\.tmp-[0-9]+-[0-9]+$")]
    private static partial Regex TemporaryFile();

    /// <summary>Copies the files of <paramref name="source"/> (not its subfolders) to <paramref name="destination"/>, replacing it
    /// whole.</summary>
    public static void CopyDirectory(string source, string destination) => WriteDirectory(destination, temp =>
    {
        foreach (string file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(temp, Path.GetFileName(file)));
    });
}
