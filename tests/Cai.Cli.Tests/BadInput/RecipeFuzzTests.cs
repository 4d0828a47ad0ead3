using System.Diagnostics;
using System.Text;
using Spectre.Console;

namespace Cai.Cli.Tests.BadInput;

/// <summary>
/// Seeded random mutations of the shipped recipes (and of the constitution they name) fed to <c>cai validate</c> for a
/// bounded time: every run must end valid (exit 0) or in clean <c>error:</c> lines (exit 2), never in a stack trace, a
/// failed run (exit 1, an exception that is not bad input), a crash or a hang.
/// </summary>
[Collection(GlobalConsoleCollection.Name)]
public sealed class RecipeFuzzTests(ITestOutputHelper log) : IDisposable
{
    // CAI_FUZZ_SEED and CAI_FUZZ_SECONDS explore further by hand; CI runs the fixed seed for 20 s.
    static readonly int _seed = int.TryParse(Environment.GetEnvironmentVariable("CAI_FUZZ_SEED"), out int seed) ? seed : 20_251_129;
    static readonly TimeSpan _budget = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("CAI_FUZZ_SECONDS"), out int s)
        ? s : 20);
    static readonly TimeSpan _perCase = TimeSpan.FromSeconds(30);

    readonly string _temp = Directory.CreateTempSubdirectory("cai-fuzz-").FullName;

    static readonly string[] _tokens =
    [
        "[", "]", "{", "}", ":", ": ", ",", "- ", "&a ", "*a", "*b", "!!str ", "!!binary ", "!custom ", "|", ">-", "'", "\"", "#", "\t",
        "\n", "  ", "~", "null", "-1", "0", "1e309", "NaN", ".inf", "-.inf", "\u00e9", "\uffff", "? ", "<<: *a", "%YAML 1.1\n",
        "---\n", "...\n", "@", "`", "\\", "\r", "\u2028", "&a [1, *a]", "0x10", "1_000", "+12", "99999999999999999999", "\"\\u0000\"",
    ];

    static readonly string[] _values =
    [
        "", "~", "-1", "0", "1", "1e9", "-0.5", "abc", "[]", "{}", "[~]", "{ a: 1 }", "../../x", "/x", "/dev/zero", "/etc/passwd",
        ".", "..", "NaN", ".nan", "true", "yes", "\"\"", "' '", "policy", "label", "generate", "sample-pairs", "critique-revise",
        "train", "reward", "dpo",
        new string('x', 5000), new string('[', 70) + new string(']', 70),
        "*a", "&a x", "\"\\xff\"", "models/none", "2147483648", "0.0000001",
    ];

    [Fact]
    public async Task MutatedRecipesEndValidOrInCleanErrors()
    {
        string recipes = Layout();
        var documents = Directory.GetFiles(recipes, "*.yaml").Order(StringComparer.Ordinal)
            .Append(Path.Combine(recipes, "constitutions", "harmless.yaml"))
            .Select(f => (Path: f, Text: File.ReadAllText(f))).ToList();
        string recipe = Path.Combine(recipes, "fuzz.yaml"), constitution = Path.Combine(recipes, "fuzz-constitution.yaml");
        var random = new Random(_seed);
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        int iterations = 0, valid = 0;
        var exits = new Dictionary<int, int>();
        var watch = Stopwatch.StartNew();
        try
        {
            while (watch.Elapsed < _budget)
            {
                var (path, text) = documents[random.Next(documents.Count)];
                byte[] mutated = Mutate(text, random);
                bool isConstitution = path.EndsWith("harmless.yaml", StringComparison.Ordinal);
                if (isConstitution)
                {
                    File.WriteAllBytes(constitution, mutated);
                    File.WriteAllText(recipe, "extends: sl-cai.yaml\nname: fuzz\nconstitution: fuzz-constitution.yaml\n");
                }
                else File.WriteAllBytes(recipe, mutated);

                var output = new StringWriter();
                var error = new StringWriter();
                var run = Task.Run(() => CaiCommandLine.Run(["validate", recipe], output, error));
                string input = Encoding.UTF8.GetString(mutated);
                if (await Task.WhenAny(run, Task.Delay(_perCase)) != run)
                    Assert.Fail($"iteration {iterations} ({Path.GetFileName(path)}): no answer within {_perCase.TotalSeconds} s:\n{input}");
                int exit = await run;
                string errors = error.ToString();
                string context = $"iteration {iterations} ({Path.GetFileName(path)}), exit {exit}:\n{errors}\ninput:\n{Shorten(input)}";
                Assert.True(exit is 0 or ErrorReport.BadInput, context);
                Assert.DoesNotContain("   at ", errors);
                Assert.All(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries),
                    l => Assert.True(l.StartsWith("error: ", StringComparison.Ordinal) || l.StartsWith("  ", StringComparison.Ordinal),
                        context));
                if (exit == 0) valid++;
                else Assert.StartsWith("error: ", errors);
                exits[exit] = exits.GetValueOrDefault(exit) + 1;
                iterations++;
            }
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
        log.WriteLine($"seed {_seed}: {iterations} mutated recipes in {watch.Elapsed.TotalSeconds:F1} s: " +
                      $"{valid} valid, {iterations - valid} refused");
        Assert.True(iterations >= 20, $"only {iterations} iterations in {_budget.TotalSeconds} s");
        Assert.True(iterations - valid > 0 && valid < iterations, "the mutations never produced a refusal");
    }

    /// <summary>One to four edits of the text: characters, tokens, values, lines, indentation, truncation, nesting, raw bytes.</summary>
    static byte[] Mutate(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits; e++)
        {
            string joined = string.Join('\n', lines);
            int at = joined.Length == 0 ? 0 : random.Next(joined.Length);
            int line = random.Next(lines.Count);
            switch (random.Next(10))
            {
                case 0: // delete a span
                    lines = Split(joined.Remove(at, Math.Min(random.Next(1, 20), joined.Length - at)));
                    break;
                case 1: // insert a token
                    lines = Split(joined.Insert(at, _tokens[random.Next(_tokens.Length)]));
                    break;
                case 2: // duplicate a line
                    lines.Insert(line, lines[line]);
                    break;
                case 3: // delete a line
                    if (lines.Count > 1) lines.RemoveAt(line);
                    break;
                case 4: // swap two lines
                    int other = random.Next(lines.Count);
                    (lines[line], lines[other]) = (lines[other], lines[line]);
                    break;
                case 5: // replace a value
                    int colon = lines[line].IndexOf(": ", StringComparison.Ordinal);
                    if (colon >= 0) lines[line] = lines[line][..(colon + 2)] + _values[random.Next(_values.Length)];
                    break;
                case 6: // shift indentation
                    lines[line] = random.Next(2) == 0 ? new string(' ', random.Next(1, 4)) + lines[line] : lines[line].TrimStart();
                    break;
                case 7: // truncate
                    lines = Split(joined[..at]);
                    break;
                case 8: // nest a value deeply
                    int depth = random.Next(1, 120);
                    int c = lines[line].IndexOf(": ", StringComparison.Ordinal);
                    if (c >= 0) lines[line] = lines[line][..(c + 2)] + new string('[', depth) + lines[line][(c + 2)..] + new string(']',
                        random.Next(depth + 1));
                    break;
                default: // an anchor on one value and aliases to it elsewhere
                    int v = lines[line].IndexOf(": ", StringComparison.Ordinal);
                    if (v >= 0) lines[line] = lines[line][..(v + 2)] + "&a " + lines[line][(v + 2)..];
                    int alias = random.Next(lines.Count);
                    int w = lines[alias].IndexOf(": ", StringComparison.Ordinal);
                    if (w >= 0) lines[alias] = lines[alias][..(w + 2)] + (random.Next(2) == 0 ? "*a" : "[*a, *a, *a, *a, *a, *a, *a, *a]");
                    break;
            }
            if (lines.Count == 0) lines.Add("");
        }
        byte[] bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        if (bytes.Length > 0 && random.Next(8) == 0) bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100); // invalid UTF-8
        return bytes;
    }

    static List<string> Split(string text) => text.Split('\n').ToList();

    static string Shorten(string text) => text.Length > 4000 ? text[..4000] + "…" : text;

    /// <summary>The shipped recipes copied into a folder laid out as the repository (recipes/, models/), data linked.</summary>
    string Layout()
    {
        string source = Path.Combine(BadInputCase.Repo, "recipes");
        string recipes = Path.Combine(_temp, "recipes");
        Directory.CreateDirectory(Path.Combine(recipes, "constitutions"));
        Directory.CreateDirectory(Path.Combine(recipes, "prompts"));
        Directory.CreateDirectory(Path.Combine(_temp, "models", "cai-tiny-base"));
        foreach (string file in Directory.GetFiles(source, "*.yaml")) File.Copy(file, Path.Combine(recipes, Path.GetFileName(file)));
        File.Copy(Path.Combine(source, "constitutions", "harmless.yaml"), Path.Combine(recipes, "constitutions", "harmless.yaml"));
        foreach (string file in Directory.GetFiles(Path.Combine(source, "prompts")))
            File.CreateSymbolicLink(Path.Combine(recipes, "prompts", Path.GetFileName(file)), file);
        foreach (string file in Directory.GetFiles(Path.Combine(BadInputCase.Repo, "models", "cai-tiny-base")))
            File.CreateSymbolicLink(Path.Combine(_temp, "models", "cai-tiny-base", Path.GetFileName(file)), file);
        return recipes;
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
