using Spectre.Console;

namespace Cai.Cli.Tests;

/// <summary>
/// Tests that swap the process-wide <c>AnsiConsole.Console</c> to capture a command's output. They run alone: a test
/// class running beside them would write into, or read from, the swapped console.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalConsoleCollection
{
    public const string Name = "global console";

    /// <summary>Runs cai in-process: AnsiConsole (400 columns, no colour) and the command's output go to Output, its error writer to Error.</summary>
    public static (int Exit, string Output, string Error) Cai(params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 400;
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = console;
        try
        {
            return Run(args, output);
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }

    /// <summary>Runs cai in-process with its own writers, leaving AnsiConsole alone (for commands that do not draw on it).</summary>
    public static (int Exit, string Output, string Error) Run(string[] args, StringWriter? output = null)
    {
        output ??= new StringWriter();
        var error = new StringWriter();
        int exit = CaiCommandLine.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
