using System.Diagnostics;

namespace Cai.Models.Tests;

/// <summary>The committed fixtures under Fixtures/ and the Python scripts that write them.</summary>
internal static class FixtureScripts
{
    /// <summary>The path of <paramref name="name"/> under tests/Cai.Models.Tests/Fixtures.</summary>
    public static string Path(string name) =>
        System.IO.Path.Combine(ReferenceLlamaTests.RepositoryRoot(), "tests", "Cai.Models.Tests", "Fixtures", name);

    /// <summary>
    /// Runs Fixtures/<paramref name="script"/> with an output directory, on a python3 that imports
    /// <paramref name="modules"/> (the test is skipped without one), and fails the test if it does not succeed.
    /// </summary>
    public static void Run(string script, string outputDirectory, params string[] modules)
    {
        string python = Cai.Tests.Shared.Requirements.RequirePython(modules);
        var start = new ProcessStartInfo(python)
        {
            ArgumentList = { Path(script), outputDirectory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), $"{script} took over two minutes");
        Assert.True(process.ExitCode == 0, stdout + stderr.Result);
    }
}
