using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Cai.Cli.Tests.BadInput;

/// <summary>
/// One case of the bad-input corpus, read from a <c>.cases</c> file in BadInput/cases:
/// <code>
/// === name                       starts a case (the rest of the line names it)
/// # comment
/// args: validate $DIR/recipe.yaml  the command line, split on spaces ('quotes' keep spaces; '' is an empty argument)
/// expect: input $DIR/recipe.yaml:3:7 nested deeper      class (input: exit 2, run: exit 1), location ('quoted' with spaces;
///                                                       - for none), message fragment
/// reject: root:x:0                 text the errors must not contain
/// --- recipe.yaml [mode]           a file of the case, its body up to the next --- or ===
/// </code>
/// Modes: (none) the text as written; <c>escaped</c> with \t \r \n \0 \\ \xHH; <c>repeat N</c> the body N times on one
/// line, <c>lines N</c> on N lines ({{n}} is the repetition's number); <c>fifo</c> a named pipe;
/// <c>safetensors N [HEX]</c> an 8-byte header length, the body as header, N bytes of data (zeros, or HEX repeated);
/// <c>copy SRC</c> a copy; <c>links SRC</c> a folder of symbolic links to SRC's files (a later section replaces a link, never writes through it);
/// <c>link TARGET</c> a symbolic link. Variables: $DIR (the case's folder), $REPO, $MODEL (the embedded default
/// checkpoint), $RECIPES, $HEAD (four lines: name, models, constitution and the four prompt sets of the shipped recipes).
/// </summary>
public sealed partial record BadInputCase(string File, string Name, string Args, IReadOnlyList<BadInputCase.Expectation> Expect,
    IReadOnlyList<string> Reject, IReadOnlyList<BadInputCase.Section> Files)
{
    public sealed record Expectation(string Class, string Location, string Fragment)
    {
        public int ExitCode => Class switch
        {
            "input" => ErrorReport.BadInput,
            "run" => ErrorReport.FailedRun,
            _ => throw new FormatException($"class {Class}"),
        };
    }

    public sealed record Section(string Path, string Mode, string Body);

    public override string ToString() => $"{System.IO.Path.GetFileNameWithoutExtension(File)}/{Name}";

    public static string Repo { get; } = FindRepo();

    public static string CasesFolder => Path.Combine(Repo, "tests", "Cai.Cli.Tests", "BadInput", "cases");

    public static IReadOnlyList<BadInputCase> All() =>
        Directory.GetFiles(CasesFolder, "*.cases").Order(StringComparer.Ordinal).SelectMany(Parse).ToList();

    static IEnumerable<BadInputCase> Parse(string file)
    {
        string? name = null, args = null;
        var expect = new List<Expectation>();
        var reject = new List<string>();
        var files = new List<Section>();
        (string Path, string Mode, StringBuilder Body)? section = null;

        BadInputCase? Finish()
        {
            if (section is { } s) files.Add(new Section(s.Path, s.Mode, s.Body.ToString()));
            section = null;
            if (name is null) return null;
            if (args is null || expect.Count == 0) throw new FormatException($"{file}: case {name} needs args: and expect:");
            return new BadInputCase(file, name, args, expect.ToList(), reject.ToList(), files.ToList());
        }

        foreach (string raw in System.IO.File.ReadLines(file))
        {
            if (raw.StartsWith("=== ", StringComparison.Ordinal))
            {
                if (Finish() is { } done) yield return done;
                (name, args) = (raw[4..].Trim(), null);
                expect.Clear();
                reject.Clear();
                files.Clear();
                continue;
            }
            if (raw.StartsWith("--- ", StringComparison.Ordinal))
            {
                if (section is { } s) files.Add(new Section(s.Path, s.Mode, s.Body.ToString()));
                string[] parts = raw[4..].Trim().Split(' ', 2);
                section = (parts[0], parts.Length > 1 ? parts[1] : "", new StringBuilder());
                continue;
            }
            if (section is { } open)
            {
                open.Body.Append(raw).Append('\n');
                continue;
            }
            if (raw.StartsWith('#') || raw.Trim().Length == 0) continue;
            if (raw.StartsWith("args:", StringComparison.Ordinal)) args = raw[5..].Trim();
            else if (raw.StartsWith("expect:", StringComparison.Ordinal))
            {
                var parts = ExpectPattern().Match(raw[7..].Trim());
                if (!parts.Success) throw new FormatException($"{file}: cannot read '{raw}' of case {name}");
                string location = parts.Groups[2].Success ? parts.Groups[2].Value : parts.Groups[3].Value;
                expect.Add(new Expectation(parts.Groups[1].Value, location, parts.Groups[4].Value));
            }
            else if (raw.StartsWith("reject:", StringComparison.Ordinal)) reject.Add(raw[7..].Trim());
            else throw new FormatException($"{file}: cannot read line '{raw}' of case {name}");
        }
        if (Finish() is { } last) yield return last;
    }

    /// <summary>Writes the case's files under <paramref name="dir"/> and returns its command line.</summary>
    public string[] Prepare(string dir)
    {
        foreach (var file in Files)
        {
            string path = Path.Combine(dir, Expand(file.Path, dir));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (new FileInfo(path).LinkTarget is not null) System.IO.File.Delete(path); // never write through a link into the repository
            string body = Expand(file.Body, dir);
            string[] mode = file.Mode.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            switch (mode.FirstOrDefault())
            {
                case null:
                    System.IO.File.WriteAllText(path, body);
                    break;
                case "escaped":
                    System.IO.File.WriteAllBytes(path, Unescape(body.EndsWith('\n') ? body[..^1] : body));
                    break;
                case "repeat" or "lines":
                    int times = int.Parse(mode[1], CultureInfo.InvariantCulture);
                    var text = new StringBuilder(body.Length * times);
                    for (int i = 0; i < times; i++)
                    {
                        text.Append(body.TrimEnd('\n').Replace("{{n}}", i.ToString(CultureInfo.InvariantCulture)));
                        if (mode[0] == "lines") text.Append('\n');
                    }
                    System.IO.File.WriteAllText(path, text.ToString());
                    break;
                case "fifo":
                    Assert.Equal(0, MakeFifo(path, 0b110_100_100));
                    break;
                case "safetensors":
                    byte[] header = Encoding.UTF8.GetBytes(body.Trim());
                    string[] data = mode[1].Split(' ');
                    var bytes = new byte[8 + header.Length + long.Parse(data[0], CultureInfo.InvariantCulture)];
                    BinaryPrimitives.WriteInt64LittleEndian(bytes, header.Length);
                    header.CopyTo(bytes, 8);
                    byte[] pattern = data.Length > 1 ? Convert.FromHexString(data[1]) : [0];
                    for (int i = 8 + header.Length; i < bytes.Length; i++) bytes[i] = pattern[(i - 8 - header.Length) % pattern.Length];
                    System.IO.File.WriteAllBytes(path, bytes);
                    break;
                case "copy":
                    System.IO.File.Copy(Expand(mode[1], dir), path, overwrite: true);
                    break;
                case "links":
                    Directory.CreateDirectory(path);
                    foreach (string source in Directory.GetFiles(Expand(mode[1], dir)))
                        System.IO.File.CreateSymbolicLink(Path.Combine(path, Path.GetFileName(source)), source);
                    break;
                case "link":
                    System.IO.File.CreateSymbolicLink(path, Expand(mode[1], dir));
                    break;
                default:
                    throw new FormatException($"{File}: case {Name}: unknown mode '{file.Mode}'");
            }
        }
        return SplitArgs(Expand(Args, dir));
    }

    public string Expand(string text, string dir) => text
        .Replace("$HEAD", Head)
        .Replace("$DIR", dir)
        .Replace("$MODEL", Path.Combine(Repo, "models", "cai-tiny-base"))
        .Replace("$RECIPES", Path.Combine(Repo, "recipes"))
        .Replace("$REPO", Repo);

    static string Head => string.Join('\n',
        "name: t",
        "models: { policy: { path: $MODEL } }",
        "constitution: $RECIPES/constitutions/harmless.yaml",
        "prompts: { red_team: $RECIPES/prompts/red-team.train.jsonl, helpful: $RECIPES/prompts/helpful.train.jsonl, "
        + "eval_red_team: $RECIPES/prompts/red-team.eval.jsonl, eval_helpful: $RECIPES/prompts/helpful.eval.jsonl }");

    [DllImport("libc", EntryPoint = "mkfifo")]
    static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    static string[] SplitArgs(string line) =>
        ArgPattern().Matches(line).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToArray();

    [GeneratedRegex(@"'([^']*)'|(\S+)")]
    private static partial Regex ArgPattern();

    // class, then a location ('quoted' when it holds spaces), then the message fragment
    [GeneratedRegex(@"^(\S+) (?:'([^']*)'|(\S+)) ?(.*)$")]
    private static partial Regex ExpectPattern();

    static byte[] Unescape(string text)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                continue;
            }
            char c = text[++i];
            if (c == 'x')
            {
                bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
                continue;
            }
            bytes.Add(c switch
            {
                't' => (byte)'\t',
                'r' => (byte)'\r',
                'n' => (byte)'\n',
                '0' => 0,
                '\\' => (byte)'\\',
                _ => throw new FormatException($"escape \\{c}"),
            });
        }
        return bytes.ToArray();
    }

    static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "CaiFramework.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("CaiFramework.sln not found above " + AppContext.BaseDirectory);
    }
}
