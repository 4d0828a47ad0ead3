using System.Diagnostics;
using TorchSharp;

namespace Cai.Tests.Shared;

/// <summary>
/// What a test needs from the machine beyond .NET: a CUDA device, or a Python interpreter with given modules. A test
/// that lacks it is reported as skipped with the reason, never as passed.
/// </summary>
public static class Requirements
{
    /// <summary>Trait of the tests that need CUDA (<c>dotnet test --filter Category=Cuda</c> runs only them).</summary>
    public const string Cuda = "Cuda";

    static readonly Dictionary<string, string?> _pythons = new(StringComparer.Ordinal);

    /// <summary>Skips the test unless TorchSharp sees a CUDA device.</summary>
    public static void RequireCuda()
    {
        if (!torch.cuda.is_available()) Assert.Skip("needs a CUDA device; TorchSharp sees none on this machine");
    }

    /// <summary>
    /// A Python 3 interpreter that imports every module in <paramref name="modules"/> (for example "torch", "jinja2"),
    /// or the test is skipped. Tries <c>CAI_PYTHON</c>, then /usr/bin/python3 (Debian's python3-torch and
    /// python3-jinja2 install there), then python3 on PATH.
    /// </summary>
    public static string RequirePython(params string[] modules)
    {
        string key = string.Join(",", modules);
        lock (_pythons)
        {
            if (!_pythons.TryGetValue(key, out var found)) _pythons[key] = found = Candidates().FirstOrDefault(p => Imports(p, modules));
            if (found is null) Assert.Skip($"needs a python3 that imports {(modules.Length == 0 ? "nothing" : key)}; none found (set CAI_PYTHON)");
            return found;
        }
    }

    static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("CAI_PYTHON") is { Length: > 0 } configured) yield return configured;
        yield return "/usr/bin/python3";
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            yield return Path.Combine(dir, "python3");
    }

    static bool Imports(string python, string[] modules)
    {
        if (!File.Exists(python)) return false;
        try
        {
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(modules.Length == 0 ? "pass" : "import " + string.Join(", ", modules));
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(60_000)) { process.Kill(entireProcessTree: true); return false; }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
