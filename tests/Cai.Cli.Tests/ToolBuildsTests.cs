using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Core.Plugins;

namespace Cai.Cli.Tests;

/// <summary>
/// Builds the tool the four ways it reaches users (build -o, publish, self-contained publish for linux-x64, pack and
/// tool install) and asks each `cai plugins list` which plugins it has: every built-in plugin, from plugins/&lt;Name&gt;/.
/// The sources are copied to a temporary folder and built there (one restore, then --no-restore), so the test leaves
/// the working tree alone; outputs are hard-linked to the NuGet cache where the file system allows (libtorch is large)
/// and deleted at the end. About 90 CPU-seconds (`--filter Category!=ToolBuilds` leaves it out).
/// </summary>
public sealed class ToolBuildsTests(ITestOutputHelper log)
{
    static readonly string[] _hardLinks =
    [
        "-p:CreateHardLinksForCopyLocalIfPossible=true", "-p:CreateHardLinksForCopyFilesToOutputDirectoryIfPossible=true",
        "-p:CreateHardLinksForPublishFilesIfPossible=true", "-p:CreateHardLinksForCopyAdditionalFilesIfPossible=true",
    ];

    [Fact, Trait("Category", "ToolBuilds")]
    public void EveryBuildOfTheToolShipsEveryBuiltInPlugin()
    {
        var expected = BuiltInPluginNames();
        Assert.True(expected.Count >= 10, $"the test host itself found only {expected.Count} built-in plugins");
        string root = Directory.CreateTempSubdirectory("cai-builds-").FullName;
        var watch = Stopwatch.StartNew();
        try
        {
            string repo = CopySources(SlCaiEndToEndFixture.RepositoryRoot(), Path.Combine(root, "repo"));
            string project = Path.Combine(repo, "src", "Cai.Cli");
            string Out(string name) => Path.Combine(root, name);
            Dotnet(root, ["restore", project, "-r", "linux-x64", "-p:SelfContained=true"]);
            Dotnet(root, ["build", project, "-c", "Release", "--no-restore", "-o", Out("build"), .. _hardLinks]);
            Dotnet(root, ["publish", project, "-c", "Release", "--no-restore", "-o", Out("publish"), .. _hardLinks]);
            Dotnet(root, ["publish", project, "-c", "Release", "--no-restore", "-r", "linux-x64", "--self-contained", "-o", Out("self-contained"), .. _hardLinks]);
            Dotnet(root, ["pack", project, "-c", "Release", "--no-build", "-o", Out("packages"), .. _hardLinks]); // built by the publish above
            string config = Path.Combine(root, "nuget.config");
            File.WriteAllText(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><clear /><add key="built" value="{Out("packages")}" /></packageSources></configuration>
                """);
            Dotnet(root, ["tool", "install", "CaiFramework.Cli", "--tool-path", Out("tool"), "--configfile", config, "--version", Version(Out("packages"))]);
            log.WriteLine($"restore, four builds and tool install: {watch.Elapsed.TotalSeconds:F0} s");

            AssertShips(expected, "build -o", Out("build"), "dotnet", [Path.Combine(Out("build"), "cai.dll")]);
            AssertShips(expected, "publish", Out("publish"), "dotnet", [Path.Combine(Out("publish"), "cai.dll")]);
            AssertShips(expected, "publish -r linux-x64 --self-contained", Out("self-contained"), Path.Combine(Out("self-contained"), "cai"), []);
            AssertShips(expected, "pack + tool install", Out("tool"), Path.Combine(Out("tool"), "cai"), []);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            log.WriteLine($"with checks and clean-up: {watch.Elapsed.TotalSeconds:F0} s");
        }
    }

    static SortedSet<string> BuiltInPluginNames()
    {
        using var host = PluginHost.WithBuiltIns();
        return new SortedSet<string>(host.Plugins.Select(p => $"{p.Kind.Key()}:{p.Name}"), StringComparer.Ordinal);
    }

    void AssertShips(SortedSet<string> expected, string way, string folder, string command, string[] prefix)
    {
        string json = Run(Path.GetTempPath(), command, [.. prefix, "plugins", "list", "--json"]);
        var plugins = JsonNode.Parse(json)!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.True(expected.SetEquals(plugins.Select(p => $"{p["kind"]}:{p["name"]}")),
            $"{way}: lists {string.Join(", ", plugins.Select(p => $"{p["kind"]}:{p["name"]}"))}; expected {string.Join(", ", expected)}");
        foreach (var plugin in plugins)
        {
            string assembly = (string)plugin["assembly"]!;
            Assert.Equal("built-in", (string)plugin["source"]!);
            Assert.StartsWith(Path.GetFullPath(folder) + Path.DirectorySeparatorChar, assembly);
            // plugins/<Name>/<Name>.dll
            Assert.Equal(Path.GetFileNameWithoutExtension(assembly), Path.GetFileName(Path.GetDirectoryName(assembly)));
            Assert.Equal("plugins", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(assembly))));
        }
        // Plugins share the host's TorchSharp and libtorch: never a copy of their own.
        string shipped = Path.GetDirectoryName(Path.GetDirectoryName((string)plugins[0]["assembly"]!))!;
        var torch = Directory.EnumerateFiles(shipped, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is var name && (name.StartsWith("libtorch", StringComparison.Ordinal)
                || name.StartsWith("libLibTorchSharp", StringComparison.Ordinal) || name.StartsWith("TorchSharp", StringComparison.Ordinal)))
            .ToList();
        Assert.True(torch.Count == 0, $"{way}: plugins carry {string.Join(", ", torch)}");
        log.WriteLine($"{way}: {plugins.Count} built-in plugins from {shipped}");
    }

    /// <summary>What building src/Cai.Cli needs: the build files at the root, src/, plugins/ and build/; no bin/ or obj/.</summary>
    static string CopySources(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from).Where(f => Path.GetFileName(f) is var n && (n.StartsWith("Directory.", StringComparison.Ordinal) || n.EndsWith(".sln", StringComparison.Ordinal) || n.Equals("nuget.config", StringComparison.OrdinalIgnoreCase) || n == "global.json")))
            CopyFile(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string folder in new[] { "src", "plugins", "build" })
            foreach (string file in Directory.EnumerateFiles(Path.Combine(from, folder), "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(from, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
                CopyFile(file, Path.Combine(to, relative));
            }
        return to;
    }

    static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    static string Version(string packages) =>
        Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(packages, "CaiFramework.Cli.*.nupkg")))["CaiFramework.Cli.".Length..];

    void Dotnet(string directory, string[] arguments) =>
        Run(directory, "dotnet", arguments.Length > 0 && arguments[0] is "restore" or "build" or "publish" or "pack"
            ? [.. arguments, "-nodeReuse:false", "-v:q", "-nologo"]
            : arguments);

    string Run(string directory, string command, string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        log.WriteLine($"{watch.Elapsed.TotalSeconds,5:F0} s  {Path.GetFileName(command)} {string.Join(' ', arguments.Take(2))}");
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}\n{error.Result}");
        return output;
    }
}
