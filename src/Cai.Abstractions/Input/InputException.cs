using System.Text;
using Cai.Abstractions.Input;

namespace Cai.Abstractions.Input;

/// <summary>One problem with the user's input (a recipe, constitution, prompt set, checkpoint or option), with where it is.</summary>
/// <param name="Location">Where the problem is, or null when it has no place.</param>
/// <param name="Message">What is wrong, quoting the offending value (see <see cref="Quote"/>) and never more of the file.</param>
public sealed record InputError(SourceLocation? Location, string Message)
{
    /// <summary>Longest quoted value, in characters; longer values are cut with an ellipsis.</summary>
    public const int MaxQuoted = 60;

    /// <summary><c>location: message</c>.</summary>
    public override string ToString() => Location is null ? Message : $"{Location}: {Message}";

    /// <summary>
    /// A value quoted for an error message: in single quotes, cut to <see cref="MaxQuoted"/> characters, with control
    /// characters escaped, so that an error names the value without echoing the file around it or breaking the line.
    /// </summary>
    /// <param name="value">The offending value.</param>
    public static string Quote(string? value)
    {
        if (value is null) return "null";
        var text = new StringBuilder("'");
        foreach (char c in value.Length > MaxQuoted ? value[..MaxQuoted] : value)
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        if (value.Length > MaxQuoted) text.Append('…');
        return text.Append('\'').ToString();
    }
}

/// <summary>
/// Bad input: the tool prints each <see cref="InputError"/> on one line (<c>error: FILE:LINE:COL: problem</c> or
/// <c>error: --option: problem</c>) without a stack trace and exits with code 2. Thrown for what the user can fix
/// (a file, a value, an option), never for a bug.
/// </summary>
public sealed class InputException : Exception
{
    /// <summary>Creates the exception from every problem found.</summary>
    /// <param name="errors">The problems, at least one.</param>
    /// <param name="more">Further problems that were counted but not kept (error lists are capped).</param>
    public InputException(IReadOnlyList<InputError> errors, int more = 0)
        : base(string.Join(Environment.NewLine, errors) + (more > 0 ? $"{Environment.NewLine}… and {more} more" : ""))
    {
        if (errors.Count == 0) throw new ArgumentException("An input exception needs at least one error.", nameof(errors));
        Errors = errors;
        More = more;
    }

    /// <summary>Creates the exception from one problem.</summary>
    /// <param name="location">Where it is, or null.</param>
    /// <param name="message">What is wrong.</param>
    public InputException(SourceLocation? location, string message) : this([new InputError(location, message)]) { }

    /// <summary>A bad command-line value.</summary>
    /// <param name="option">The option as written, e.g. <c>--top-p</c>.</param>
    /// <param name="message">What is wrong with its value.</param>
    public static InputException ForOption(string option, string message) => new(SourceLocation.Option(option), message);

    /// <summary>The problems kept (at most the cap of whoever collected them).</summary>
    public IReadOnlyList<InputError> Errors { get; }

    /// <summary>Problems counted beyond <see cref="Errors"/>.</summary>
    public int More { get; }

    /// <summary>Throws when <paramref name="errors"/> is not empty.</summary>
    /// <param name="errors">The problems found.</param>
    /// <param name="more">Further problems counted but not kept.</param>
    public static void ThrowIfAny(IReadOnlyList<InputError> errors, int more = 0)
    {
        if (errors.Count > 0) throw new InputException(errors, more);
    }
}
