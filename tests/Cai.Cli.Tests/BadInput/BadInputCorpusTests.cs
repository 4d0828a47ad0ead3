using System.Diagnostics;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Cai.Cli.Tests.BadInput;

/// <summary>
/// The bad-input corpus (BadInput/cases/*.cases, see <see cref="BadInputCase"/>): every case must end in clear errors,
/// each one line <c>error: LOCATION: problem</c> naming the file (and line and column) or option, with the exit code
/// of its class, no stack trace, no hang, and nothing of a file beyond the offending value.
/// </summary>
[Collection(GlobalConsoleCollection.Name)]
public sealed partial class BadInputCorpusTests : IDisposable
{
    static readonly Lazy<IReadOnlyList<BadInputCase>> _corpus = new(BadInputCase.All);
    static readonly TimeSpan _timeout = TimeSpan.FromSeconds(60);
    readonly string _temp = Directory.CreateTempSubdirectory("cai-bad-input-").FullName;
    readonly IAnsiConsole _console = AnsiConsole.Console;

    // A case that wrongly succeeded would draw its table into the test output.
    public BadInputCorpusTests() =>
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });

    public static TheoryData<string> Cases => new(_corpus.Value.Select(c => c.ToString()));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EndsInClearErrors(string id)
    {
        var c = _corpus.Value.Single(x => x.ToString() == id);
        string dir = Path.Combine(_temp, "case");
        Directory.CreateDirectory(dir);
        string[] args = c.Prepare(dir);
        var output = new StringWriter();
        var error = new StringWriter();
        var run = Task.Run(() => CaiCommandLine.Run(args, output, error));
        Assert.True(await Task.WhenAny(run, Task.Delay(_timeout)) == run, $"{id}: no answer within {_timeout.TotalSeconds} s");

        Check(c, dir, await run, error.ToString());
    }

    /// <summary>A few cases as the real tool: the process's exit code, and no trace or crash (a stack overflow, a native abort).</summary>
    [Theory]
    [InlineData("recipes-yaml/nested-sequences")]
    [InlineData("recipes-yaml/billion-laughs")]
    [InlineData("recipes-binding/name-escapes-runs")]
    [InlineData("prompts/dev-zero")]
    [InlineData("options/generate-temperature-nan")]
    [InlineData("options/eval-missing-prompts")]
    [InlineData("checkpoints/nan-weights")]
    public async Task EndsInClearErrorsAsAProcess(string id)
    {
        var c = _corpus.Value.Single(x => x.ToString() == id);
        string dir = Path.Combine(_temp, "case");
        Directory.CreateDirectory(dir);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cai.dll"), .. c.Prepare(dir)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(_timeout);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{id}: the process did not exit within {_timeout.TotalSeconds} s");
        }
        Check(c, dir, process.ExitCode, await stderr + await stdout);
    }

    [Fact]
    public void TheCorpusCoversEveryInputAndCommand()
    {
        var cases = _corpus.Value;
        Assert.True(cases.Count >= 100, $"only {cases.Count} cases");
        Assert.Equal(cases.Count, cases.Select(c => c.ToString()).Distinct().Count());
        var files = cases.Select(c => Path.GetFileNameWithoutExtension(c.File)).ToHashSet();
        Assert.Superset(new HashSet<string> { "recipes-yaml", "recipes-binding", "recipes-stages", "constitutions", "prompts",
            "checkpoints", "tokenizers", "options" }, files);
        var commands = cases.Select(c => c.Args.Split(' ')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "run", "validate", "schema", "generate", "eval", "plugins", "new", "world", "doctor" },
            commands);
    }

    static void Check(BadInputCase c, string dir, int exit, string text)
    {
        string context = $"{c}: exit {exit}, errors:\n{text}";
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(exit == c.Expect[0].ExitCode, context);
        Assert.False(StackFrame().IsMatch(text), $"stack trace in {context}");
        Assert.DoesNotContain("Unhandled exception", text);
        Assert.All(lines, l => Assert.True(l.StartsWith("error: ", StringComparison.Ordinal) || l.StartsWith("run 'cai",
            StringComparison.Ordinal)
                                         || l.StartsWith("  ", StringComparison.Ordinal) || l.StartsWith("finished stages",
                                             StringComparison.Ordinal), $"stray line '{l}' in {context}"));
        Assert.True(lines.Count <= ErrorReport.MaxShown + 6, $"too many lines in {context}");
        foreach (var expected in c.Expect)
        {
            string prefix = $"error: {c.Expand(expected.Location, dir)}{(expected.Location == "-" ? "" : ": ")}";
            if (expected.Location == "-") prefix = "error: ";
            string fragment = c.Expand(expected.Fragment, dir);
            Assert.True(lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains(fragment, StringComparison.Ordinal)),
                $"no line '{prefix}…{fragment}…' in {context}");
        }
        foreach (string rejected in c.Reject) Assert.DoesNotContain(rejected, text);
    }

    [GeneratedRegex(@"^\s+at \S+.*\(|Exception: .*\n\s+at ", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    public void Dispose()
    {
        AnsiConsole.Console = _console;
        Directory.Delete(_temp, recursive: true);
    }
}
