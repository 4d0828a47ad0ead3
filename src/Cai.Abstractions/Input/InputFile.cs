using System.Runtime.InteropServices;
using System.Text;
using Cai.Abstractions.Input;

namespace Cai.Abstractions.Input;

/// <summary>
/// Reads files the user names, safely: only regular files (a device such as /dev/zero, a pipe or a socket is refused
/// before it is opened), bounded sizes, lines of bounded length, and strict UTF-8 whose invalid bytes are an error at
/// their line and column. Every problem is an <see cref="InputException"/> located at the file.
/// </summary>
public static class InputFile
{
    static readonly UTF8Encoding _strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    static readonly byte[] _bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Throws unless <paramref name="path"/> is an existing regular file (symbolic links are followed).</summary>
    /// <param name="path">The file as the user named it.</param>
    public static void RequireRegularFile(string path)
    {
        if (Directory.Exists(path)) throw Error(path, "is a directory, not a file");
        if (!File.Exists(path)) throw Error(path, "file not found");
        if (FileType(path) is { } type && type != RegularFile)
            throw Error(path, $"is not a regular file ({TypeName(type)})");
    }

    /// <summary>Opens a regular file of at most <paramref name="maxBytes"/> bytes for reading.</summary>
    /// <param name="path">The file as the user named it.</param>
    /// <param name="maxBytes">Largest accepted size.</param>
    public static FileStream OpenRead(string path, long maxBytes)
    {
        RequireRegularFile(path);
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (UnauthorizedAccessException) { throw Error(path, "permission denied"); }
        catch (IOException e) { throw Error(path, $"cannot be read ({e.Message})"); }
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw Error(path, "is not a regular file (it cannot be seeked)");
        }
        if (stream.Length > maxBytes)
        {
            long length = stream.Length;
            stream.Dispose();
            throw Error(path, $"is {Size(length)}, more than the limit of {Size(maxBytes)}");
        }
        return stream;
    }

    /// <summary>The bytes of a regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <param name="path">The file as the user named it.</param>
    /// <param name="maxBytes">Largest accepted size.</param>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using var stream = OpenRead(path, maxBytes);
        var bytes = new byte[stream.Length];
        int read = 0;
        while (read < bytes.Length && stream.Read(bytes, read, bytes.Length - read) is > 0 and var n) read += n;
        if (read < bytes.Length || stream.ReadByte() >= 0) throw Error(path, "changed size while it was read (not a regular file?)");
        return bytes;
    }

    /// <summary>
    /// The text of a UTF-8 file of at most <paramref name="maxBytes"/> bytes (a byte-order mark is skipped); invalid
    /// UTF-8 is an error at its line and column.
    /// </summary>
    /// <param name="path">The file as the user named it.</param>
    /// <param name="maxBytes">Largest accepted size.</param>
    public static string ReadAllText(string path, long maxBytes) => Decode(path, ReadAllBytes(path, maxBytes), 1);

    /// <summary>
    /// The lines of a UTF-8 file of at most <paramref name="maxBytes"/> bytes, read one at a time (\n or \r\n; a
    /// byte-order mark is skipped), each at most <paramref name="maxLineBytes"/> bytes; a longer line or invalid UTF-8 is
    /// an error at its line.
    /// </summary>
    /// <param name="path">The file as the user named it.</param>
    /// <param name="maxBytes">Largest accepted size.</param>
    /// <param name="maxLineBytes">Longest accepted line, in bytes.</param>
    /// <returns>Each line with its 1-based number.</returns>
    public static IEnumerable<(int Number, string Text)> ReadLines(string path, long maxBytes, int maxLineBytes)
    {
        using var stream = OpenRead(path, maxBytes);
        long size = stream.Length, total = 0;
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        int number = 1, filled;
        bool first = true;
        while ((filled = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += filled;
            if (total > size) throw Error(path, "grew while it was read (not a regular file?)");
            int start = 0;
            for (int i = 0; i < filled; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                Append(line, buffer.AsSpan(start, i - start), path, number, maxLineBytes);
                yield return (number, DecodeLine(path, line, number, ref first));
                line.SetLength(0);
                number++;
                start = i + 1;
            }
            Append(line, buffer.AsSpan(start, filled - start), path, number, maxLineBytes);
        }
        if (line.Length > 0) yield return (number, DecodeLine(path, line, number, ref first));
    }

    /// <summary>"12 bytes", "3.5 KiB", "4 MiB".</summary>
    /// <param name="bytes">A size in bytes.</param>
    public static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => $"{bytes / (double)(1 << 20):0.#} MiB",
        >= 1 << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} bytes",
    };

    static void Append(MemoryStream line, ReadOnlySpan<byte> bytes, string path, int number, int maxLineBytes)
    {
        if (line.Length + bytes.Length > maxLineBytes)
            throw new InputException(new SourceLocation(path, number, 1), $"the line is longer than the limit of {Size(maxLineBytes)}");
        line.Write(bytes);
    }

    static string DecodeLine(string path, MemoryStream line, int number, ref bool first)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (first && bytes.StartsWith(_bom)) bytes = bytes[3..];
        first = false;
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        return Decode(path, bytes.ToArray(), number);
    }

    static string Decode(string path, byte[] bytes, int firstLine)
    {
        int offset = bytes.AsSpan().StartsWith(_bom) ? 3 : 0;
        try { return _strict.GetString(bytes, offset, bytes.Length - offset); }
        catch (DecoderFallbackException e)
        {
            int bad = offset + Math.Max(0, e.Index);
            int lineStart = bytes.AsSpan(0, bad).LastIndexOf((byte)'\n') + 1;
            int line = firstLine + bytes.AsSpan(offset, bad - offset).Count((byte)'\n');
            int column = Encoding.UTF8.GetCharCount(bytes, Math.Max(offset, lineStart), bad - Math.Max(offset, lineStart)) + 1;
            string shown = string.Join(" ", bytes.Skip(bad).Take(4).Select(b => $"0x{b:x2}"));
            throw new InputException(new SourceLocation(path, line, column), $"invalid UTF-8 (bytes {shown})");
        }
    }

    static InputException Error(string path, string message) => new(new SourceLocation(path), message);

    // The file type from statx(2) (Linux; its struct has one layout on every architecture), without opening the file:
    // opening a FIFO blocks until a writer comes. Null where statx is unavailable.
    const int RegularFile = 0x8000;

    static int? FileType(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new byte[256];
        try
        {
            if (StatX(-100 /* AT_FDCWD */, path, 0, 1 /* STATX_TYPE */, buffer) != 0) return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        return BitConverter.ToUInt16(buffer, 28) & 0xF000;
    }

    static string TypeName(int type) => type switch
    {
        0x2000 => "a character device",
        0x6000 => "a block device",
        0x1000 => "a pipe",
        0xC000 => "a socket",
        _ => "a special file",
    };

    [DllImport("libc", EntryPoint = "statx")]
    static extern int StatX(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
