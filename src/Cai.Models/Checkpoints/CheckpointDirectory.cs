using System.Text.Json;
using System.Text.RegularExpressions;
using Cai.Abstractions.Input;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;

namespace Cai.Models.Checkpoints;

/// <summary>
/// A checkpoint directory the user names, as input: the loaders' own errors (a malformed config.json, safetensors
/// header or tokenizer file, a missing file, weights that do not fit the model) become one
/// <see cref="InputException"/> located at the file they name, with the line and column of a JSON syntax error.
/// </summary>
public static partial class CheckpointDirectory
{
    /// <summary>Largest JSON or text file of a checkpoint (config, tokenizer, index).</summary>
    public const long MaxTextFileBytes = 256 << 20;

    /// <summary>The files a checkpoint may hold that are read whole.</summary>
    static readonly string[] _textFiles =
    [
        ModelConfig.FileName, TokenizerJsonFile.FileName, "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
        "tokenizer.model", CheckpointFiles.IndexFileName, "generation_config.json",
    ];

    /// <summary>Checks what can be checked without building the model: config.json, the weights' headers and the tokenizer.</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="tokenizer">Whether a tokenizer must be there.</param>
    /// <param name="chatFormat">A built-in chat format used instead of the checkpoint's (whose template is then not read).</param>
    public static void Validate(string directory, bool tokenizer = true, string? chatFormat = null)
    {
        Load(directory, () =>
        {
            ModelConfig.Load(directory);
            return CheckpointFiles.Open(directory);
        });
        if (tokenizer) Tokenizer(directory, chatFormat);
    }

    /// <summary>The checkpoint's tokenizer, with the built-in <paramref name="chatFormat"/> instead of its own chat
    /// format when given; any failure to read its files is bad input.</summary>
    public static TextTokenizer Tokenizer(string directory, string? chatFormat = null) =>
        Load(directory, () => TextTokenizer.Load(directory, chatFormat), tokenizer: true);

    /// <summary>Throws unless <paramref name="directory"/> is an existing directory whose files are regular and of sane size.</summary>
    public static void RequireDirectory(string directory)
    {
        if (File.Exists(directory)) throw new InputException(new SourceLocation(directory), "is a file; expected a checkpoint directory");
        if (!Directory.Exists(directory)) throw new InputException(new SourceLocation(directory), "checkpoint directory not found");
        foreach (string name in _textFiles)
        {
            string path = Path.Combine(directory, name);
            if (!File.Exists(path) && !Directory.Exists(path)) continue;
            InputFile.RequireRegularFile(path);
            if (new FileInfo(path).Length > MaxTextFileBytes)
                throw new InputException(new SourceLocation(path), $"is more than the limit of {InputFile.Size(MaxTextFileBytes)}");
        }
        foreach (string weights in Directory.EnumerateFiles(directory, "*.safetensors")) InputFile.RequireRegularFile(weights);
    }

    /// <summary>
    /// Checks <paramref name="directory"/> (<see cref="RequireDirectory"/>), then runs <paramref name="load"/>, turning the
    /// loaders' format errors into an <see cref="InputException"/>. With <paramref name="tokenizer"/>, every failure
    /// of <paramref name="load"/> is one: it reads only the tokenizer's files.
    /// </summary>
    public static T Load<T>(string directory, Func<T> load, bool tokenizer = false)
    {
        RequireDirectory(directory);
        try { return load(); }
        catch (Exception e) when (AsInput(directory, e) is { } input) { throw input; }
        catch (Exception e) when (tokenizer && IsTokenizerFailure(e))
        {
            throw new InputException(new SourceLocation(directory), $"the tokenizer files cannot be read: {e.Message}");
        }
    }

    static bool IsTokenizerFailure(Exception e) =>
        e is ArgumentException or KeyNotFoundException or IndexOutOfRangeException or InvalidOperationException;

    /// <summary>
    /// The input error an exception of a checkpoint loader stands for, or null when it is not one (a bug, an I/O failure).
    /// </summary>
    public static InputException? AsInput(string directory, Exception e) => e switch
    {
        InputException input => input,
        ModelConfigException config => Located(config.File, StripPrefix(config.Message, config.File), config.InnerException),
        CheckpointMismatchException mismatch => new InputException(Mismatch(mismatch)),
        FileNotFoundException { FileName: { } file } => Located(file, "file not found", null),
        FileNotFoundException missing => Located(directory, missing.Message, null),
        DirectoryNotFoundException => Located(directory, "checkpoint directory not found", null),
        EndOfStreamException => Located(directory, "a weights file is shorter than its header says (truncated?)", null),
        FormatException or NotSupportedException or InvalidDataException or JsonException => FromMessage(directory, e),
        _ => null,
    };

    static InputException FromMessage(string directory, Exception e)
    {
        // Loader messages start with the file they are about: "<directory>/tokenizer.json: problem".
        string message = e.Message;
        var json = e as JsonException ?? e.InnerException as JsonException;
        foreach (string prefix in new[] { directory, Path.GetFullPath(directory) })
        {
            if (!message.StartsWith(prefix, StringComparison.Ordinal)) continue;
            int colon = message.IndexOf(": ", prefix.Length, StringComparison.Ordinal);
            if (colon <= 0 || message.IndexOf('\n', 0, colon) >= 0) continue;
            string file = message[..colon];
            if (!File.Exists(file)) return Located(directory, message[prefix.Length..].TrimStart('/', '\\'), null);
            // A JSON position is the file's only in a JSON file (a safetensors header's is inside the header).
            return Located(file, message[(colon + 2)..], file.EndsWith(".json", StringComparison.Ordinal) ? json : null);
        }
        return Located(directory, message, null);
    }

    static InputException Located(string file, string message, Exception? inner)
    {
        var location = inner is JsonException { LineNumber: long line } json
            ? new SourceLocation(file, (int)line + 1, (int)(json.BytePositionInLine ?? 0) + 1)
            : new SourceLocation(file);
        return new InputException(location, JsonPosition().Replace(message, "").Trim().TrimEnd('.'));
    }

    static string StripPrefix(string message, string file) =>
        message.StartsWith(file + ": ", StringComparison.Ordinal) ? message[(file.Length + 2)..] : message;

    static List<InputError> Mismatch(CheckpointMismatchException e)
    {
        var at = new SourceLocation(e.Checkpoint);
        const int shown = 8;
        string List(IReadOnlyList<string> names) =>
            string.Join(", ", names.Take(shown)) + (names.Count > shown ? $" … and {names.Count - shown} more" : "");
        string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
        var errors = new List<InputError>();
        if (e.Missing.Count > 0)
            errors.Add(new(at, $"the weights lack {e.Missing.Count} parameter(s) of the model: {List(e.Missing)}"));
        if (e.Unexpected.Count > 0)
            errors.Add(new(at, $"the weights hold {e.Unexpected.Count} tensor(s) the model does not have: {List(e.Unexpected)}"));
        foreach (var m in e.Mismatched.Take(shown))
            errors.Add(new(at, $"tensor {m.Name} is {Shape(m.Found)} in the weights; config.json makes it {Shape(m.Expected)}"));
        return errors;
    }

    [GeneratedRegex(@"\s*(Path: \S*)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex JsonPosition();
}
