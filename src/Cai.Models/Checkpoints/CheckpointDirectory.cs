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
    /// <summary>Checks what can be checked without building the model: config.json, the weights' headers and the tokenizer.</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="tokenizer">Whether a tokenizer must be there.</param>
    public static void Validate(string directory, bool tokenizer = true) => Load(directory, () =>
    {
        RequireDirectory(directory);
        ModelConfig.Load(directory);
        CheckpointFiles.Open(directory);
        if (tokenizer) TextTokenizer.Load(directory);
        return true;
    });

    /// <summary>Throws unless <paramref name="directory"/> is an existing directory.</summary>
    public static void RequireDirectory(string directory)
    {
        if (File.Exists(directory)) throw new InputException(new SourceLocation(directory), "is a file; expected a checkpoint directory");
        if (!Directory.Exists(directory)) throw new InputException(new SourceLocation(directory), "checkpoint directory not found");
    }

    /// <summary>Runs <paramref name="load"/> on <paramref name="directory"/>, turning its format errors into an <see cref="InputException"/>.</summary>
    public static T Load<T>(string directory, Func<T> load)
    {
        try { return load(); }
        catch (Exception e) when (AsInput(directory, e) is { } input) { throw input; }
    }

    /// <summary>The input error an exception of a checkpoint loader stands for, or null when it is not one (a bug, an I/O failure).</summary>
    public static InputException? AsInput(string directory, Exception e) => e switch
    {
        InputException input => input,
        ModelConfigException config => Located(config.File, StripPrefix(config.Message, config.File), config.InnerException),
        CheckpointMismatchException mismatch => new InputException(Mismatch(mismatch)),
        FileNotFoundException missing => Located(missing.FileName ?? directory, missing.FileName is null ? missing.Message : "file not found", null),
        DirectoryNotFoundException => Located(directory, "checkpoint directory not found", null),
        EndOfStreamException => Located(directory, "a weights file is shorter than its header says (truncated?)", null),
        FormatException or NotSupportedException or InvalidDataException or JsonException => FromMessage(directory, e),
        _ => null,
    };

    static InputException FromMessage(string directory, Exception e)
    {
        // Loader messages start with the file they are about: "<directory>/tokenizer.json: problem".
        foreach (string prefix in new[] { directory, Path.GetFullPath(directory) })
        {
            int colon = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message.IndexOf(": ", prefix.Length, StringComparison.Ordinal) : -1;
            if (colon > 0 && e.Message.IndexOf('\n', 0, colon) < 0)
                return Located(e.Message[..colon], e.Message[(colon + 2)..], e as JsonException ?? e.InnerException as JsonException);
        }
        return Located(directory, e.Message, e as JsonException ?? e.InnerException as JsonException);
    }

    static InputException Located(string file, string message, Exception? inner)
    {
        var json = inner as JsonException;
        var location = json?.LineNumber is long line ? new SourceLocation(file, (int)line + 1, (int)(json.BytePositionInLine ?? 0) + 1) : new SourceLocation(file);
        message = JsonPosition().Replace(message, "").Trim().TrimEnd('.');
        return new InputException(location, message);
    }

    static string StripPrefix(string message, string file) => message.StartsWith(file + ": ", StringComparison.Ordinal) ? message[(file.Length + 2)..] : message;

    static List<InputError> Mismatch(CheckpointMismatchException e)
    {
        var at = new SourceLocation(e.Checkpoint);
        const int shown = 8;
        string List(IReadOnlyList<string> names) => string.Join(", ", names.Take(shown)) + (names.Count > shown ? $" … and {names.Count - shown} more" : "");
        var errors = new List<InputError>();
        if (e.Missing.Count > 0) errors.Add(new(at, $"the weights lack {e.Missing.Count} parameter(s) of the model: {List(e.Missing)}"));
        if (e.Unexpected.Count > 0) errors.Add(new(at, $"the weights hold {e.Unexpected.Count} tensor(s) the model does not have: {List(e.Unexpected)}"));
        foreach (var m in e.Mismatched.Take(shown))
            errors.Add(new(at, $"tensor {m.Name} is [{string.Join(", ", m.Found)}] in the weights; config.json makes it [{string.Join(", ", m.Expected)}]"));
        return errors;
    }

    [GeneratedRegex(@"\s*(Path: \S*)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex JsonPosition();
}
