namespace Cai.Abstractions.Input;

/// <summary>
/// Where a problem with the user's input is: a file, line and column (1-based), printed as <c>file:line:column</c>;
/// or a whole file or a command-line option (<see cref="Line"/> 0), printed as the file or the option alone.
/// </summary>
/// <param name="File">The file as the user named it, or a command-line option such as <c>--top-p</c>.</param>
/// <param name="Line">1-based line, or 0 when the problem is the whole file or option.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
public sealed record SourceLocation(string File, int Line = 0, int Column = 0)
{
    /// <summary>The location of a command-line option.</summary>
    /// <param name="name">The option as written, e.g. <c>--top-p</c>.</param>
    public static SourceLocation Option(string name) => new(name);

    /// <summary><c>file:line:column</c>, <c>file:line</c> or <c>file</c>.</summary>
    public override string ToString() => Line <= 0 ? File : Column <= 0 ? $"{File}:{Line}" : $"{File}:{Line}:{Column}";
}
