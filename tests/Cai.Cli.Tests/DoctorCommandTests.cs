using Cai.Cli;

namespace Cai.Cli.Tests;

[Collection(GlobalConsoleCollection.Name)]
public class DoctorCommandTests
{
    [Fact]
    public void DoctorReportsVersionsAndMeasuredThroughput()
    {
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
        var previous = Spectre.Console.AnsiConsole.Console;
        Spectre.Console.AnsiConsole.Console = console;
        try
        {
            int exit = CaiCommandLine.Build().Parse(["doctor", "--size", "128"]).Invoke();
            Assert.Equal(0, exit);
        }
        finally
        {
            Spectre.Console.AnsiConsole.Console = previous;
        }
        string text = output.ToString();
        Assert.Contains("libtorch", text);
        Assert.Contains("2.10", text);
        Assert.Matches(@"\d+\.\d GFLOP/s", text);
        Assert.Contains("weak (patch applied)", text);
    }

    [Fact]
    public void UnknownCommandFailsWithNonZeroExit()
    {
        var error = new StringWriter();
        var parse = CaiCommandLine.Build().Parse(["frobnicate"]);
        int exit = parse.Invoke(new System.CommandLine.InvocationConfiguration { Error = error, Output = new StringWriter() });
        Assert.NotEqual(0, exit);
        Assert.Contains("frobnicate", error.ToString());
    }
}
