using System.CommandLine.Parsing;
using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;
using Cai.Abstractions.Input;

namespace Cai.Cli;

/// <summary>
/// The tool's one error path. Bad input (an <see cref="InputException"/> or a command-line parse error) prints
/// <c>error: FILE:LINE:COL: problem</c> or <c>error: --option: problem</c>, one line per problem (at most
/// <see cref="MaxShown"/>, then "… and N more"), and exits with <see cref="BadInput"/>; any other exception is a failed
/// run: <c>error: problem</c> and <see cref="FailedRun"/>. Lines go to standard error as plain text, never wrapped,
/// and never with a stack trace unless --verbose.
/// </summary>
public static partial class ErrorReport
{
    /// <summary>Exit code of bad input: a file, value or option the user can fix.</summary>
    public const int BadInput = 2;

    /// <summary>Exit code of a run that failed.</summary>
    public const int FailedRun = 1;

    /// <summary>Exit code of a run stopped by Ctrl+C.</summary>
    public const int Cancelled = 130;

    /// <summary>Most problems printed.</summary>
    public const int MaxShown = 20;

    /// <summary>Key of <see cref="Exception.Data"/> holding a line printed after the error (e.g. how to resume).</summary>
    public const string HintKey = "cai.hint";

    /// <summary>Prints the problems of an exception and returns the exit code.</summary>
    public static int Write(Exception exception, TextWriter error, bool verbose)
    {
        var e = Unwrap(exception);
        int code;
        if (e is InputException input)
        {
            Lines(error, input.Errors.Select(p => p.ToString()), input.More);
            code = BadInput;
        }
        else if (e is OperationCanceledException)
        {
            error.WriteLine("error: cancelled");
            code = Cancelled;
        }
        else
        {
            Lines(error, [Describe(e)], 0);
            code = FailedRun;
        }
        if (exception.Data[HintKey] is string hint) error.WriteLine(hint);
        if (verbose) error.WriteLine(exception);
        return code;
    }

    /// <summary>Prints the parse errors of a command line as <c>error: --option: problem</c> and returns <see cref="BadInput"/>.</summary>
    public static int Write(ParseResult parse, TextWriter error)
    {
        var errors = parse.Errors.ToList();
        if (errors.Any(e => e.Message.StartsWith("Unrecognized command", StringComparison.Ordinal)))
            errors.RemoveAll(e => e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal));
        var lines = errors.Select(e => $"{Where(e.SymbolResult, parse)}: {Clean(e.Message)}").Distinct().ToList();
        Lines(error, lines, 0);
        string command = string.Join(" ", Commands(parse.CommandResult).Reverse());
        error.WriteLine($"run '{command} --help' for usage");
        return BadInput;
    }

    static void Lines(TextWriter error, IEnumerable<string> problems, int more)
    {
        var list = problems.ToList();
        foreach (string problem in list.Take(MaxShown))
            foreach (var (line, index) in problem.Split('\n').Select((l, i) => (l.TrimEnd('\r'), i)))
                error.WriteLine(index == 0 ? $"error: {line}" : $"  {line}");
        int hidden = Math.Max(0, list.Count - MaxShown) + more;
        if (hidden > 0) error.WriteLine($"error: … and {hidden} more");
    }

    static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };

    /// <summary>A failure in one line: the message (libtorch's first line, without its C++ frames), with the exception's type where it says
    /// something.</summary>
    static string Describe(Exception e)
    {
        string message = e.Message.Split('\n')[0].Trim();
        if (e is System.Runtime.InteropServices.ExternalException) return $"libtorch: {message}";
        bool saysItAll = e is Abstractions.Plugins.PluginException or Core.Pipeline.OutOfDeviceMemoryException or IOException
            or UnauthorizedAccessException or Models.Generation.NonFiniteLogitsException;
        return saysItAll ? message : $"{e.GetType().Name}: {message}";
    }

    static string Where(SymbolResult? result, ParseResult parse) => result switch
    {
        OptionResult option => option.Option.Name,
        ArgumentResult { Parent: OptionResult option } => option.Option.Name,
        ArgumentResult argument => $"<{argument.Argument.Name}>",
        CommandResult command => string.Join(" ", Commands(command).Reverse()),
        _ => string.Join(" ", Commands(parse.CommandResult).Reverse()),
    };

    static IEnumerable<string> Commands(CommandResult? command)
    {
        for (var c = command; c is not null; c = c.Parent as CommandResult)
            yield return c.Parent is null ? "cai" : c.Command.Name;
    }

    static string Clean(string message)
    {
        var parse = CannotParse().Match(message);
        if (parse.Success) return $"{InputError.Quote(parse.Groups[1].Value)} is not {TypeWord(parse.Groups[2].Value)}";
        return Whitespace().Replace(message, " ").Trim().TrimEnd('.');
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    static string TypeWord(string type) => type switch
    {
        "System.Single" or "System.Double" or "System.Decimal" => "a number",
        "System.Int32" or "System.Int64" or "System.Int16" => "an integer",
        "System.Boolean" => "true or false",
        _ => "a valid value",
    };

    [GeneratedRegex(@"^Cannot parse argument '(.*)' for (?:option|command|argument) '.*' as expected type '([\w.`]+)'\.?$",
        RegexOptions.Singleline)]
    private static partial Regex CannotParse();
}
