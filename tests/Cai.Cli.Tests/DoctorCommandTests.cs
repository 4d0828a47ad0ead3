using System.Diagnostics;
using Cai.Cli;
using Cai.Models;

namespace Cai.Cli.Tests;

[Collection(GlobalConsoleCollection.Name)]
public class DoctorCommandTests
{
    const string DebianTorch = "/usr/lib/python3/dist-packages/torch";

    static string RunDoctor()
    {
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
        console.Profile.Width = 1000; // one table row per line: paths are not wrapped
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
        return output.ToString();
    }

    static string Row(string text, string check) =>
        text.Split('\n').FirstOrDefault(l => l.Contains($"│ {check} ", StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no '{check}' row in:\n{text}");

    [Fact]
    public void DoctorReportsVersionsAndMeasuredThroughput()
    {
        string text = RunDoctor();
        Assert.Contains("libtorch", text);
        Assert.Contains("2.10", text);
        Assert.Matches(@"fp32 x\d+: \d+\.\d GFLOP/s", text);
        Assert.Matches(@"bf16 x\d+: \d+\.\d GFLOP/s", text);
        Assert.Contains("weak (patch applied)", text);
    }

    [Fact]
    public void DoctorNamesTheLibTorchFolderAndTheOnlyLibTorchMapped()
    {
        var choice = LibTorch.Loaded!;
        string text = RunDoctor();
        Assert.Contains($"in {choice.Folder}", Row(text, "libtorch"));
        Assert.Contains(choice.Why, Row(text, "why that one"));
        // One libtorch_cpu.so in the process, from the chosen folder: TorchSharp used the preloaded one.
        string mapped = Assert.Single(LibTorch.MappedLibraries(), f => Path.GetFileName(f) == "libtorch_cpu.so");
        Assert.Equal(Path.Combine(choice.Folder, "libtorch_cpu.so"), mapped);
        Assert.Contains("libtorch_cpu.so", Row(text, "loaded"));
        if (choice.Source != LibTorchSource.Bundled) Assert.Skip($"this machine has a usable libtorch beside the bundled one ({choice.Why})");
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, LibTorch.BundledFolderName), choice.Folder);
        Assert.Contains("bundled CPU libtorch", Row(text, "why that one"));
        Assert.Contains("2.10.0 in ", Row(text, "libtorch"));
    }

    [Fact]
    public void DoctorReportsDebiansPyTorchAsFoundButNotUsed()
    {
        if (!File.Exists(Path.Combine(DebianTorch, "version.py"))) Assert.Skip($"needs Debian's python3-torch ({DebianTorch})");
        var (version, _) = LibTorch.ReadVersionFile(Path.Combine(DebianTorch, "version.py"));
        if (LibTorch.IsSeenToWork(version)) Assert.Skip($"Debian's PyTorch here is {version}, a version seen to work");
        string text = RunDoctor();
        string row = text.Split('\n').Single(l => l.Contains($"{DebianTorch}: {version}", StringComparison.Ordinal));
        Assert.Contains("PyTorch found", row);
        Assert.Contains($"not used, version {version} is not one seen to work with TorchSharp 0.107 (2.10, 2.11)", row);
    }

    [Fact]
    public void LibTorchVariableNamingAFolderWithoutLibTorchIsAOneLineError()
    {
        string empty = Directory.CreateTempSubdirectory("cai-no-libtorch-").FullName;
        try
        {
            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "cai"), "doctor")
                { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment[LibTorch.Variable] = empty;
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(60_000));
            Assert.Equal(1, process.ExitCode);
            Assert.Equal("", output);
            Assert.Equal($"error: {LibTorch.Variable}={empty}: no libtorch there (expected libc10.so, libtorch_cpu.so, libtorch.so in it or in its lib/), or 'none' to use the bundled one",
                error.TrimEnd('\n'));
        }
        finally
        {
            Directory.Delete(empty);
        }
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
