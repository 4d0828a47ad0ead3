namespace Cai.Cli.Tests;

/// <summary>
/// Tests that swap the process-wide <c>AnsiConsole.Console</c> to capture a command's output. They run alone: a test
/// class running beside them would write into, or read from, the swapped console.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalConsoleCollection
{
    public const string Name = "global console";
}
