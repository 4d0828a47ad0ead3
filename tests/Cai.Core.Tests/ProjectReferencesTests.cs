using System.Xml.Linq;
using Cai.Core.Tests.Plugins;

namespace Cai.Core.Tests;

/// <summary>
/// The layering, read from the project files so it cannot drift back: Abstractions references nothing of ours, Models only
/// Abstractions, Core neither the toy world (Sandbox) nor a plugin, plugins only Abstractions (and Models where needed);
/// the toy world plugs into Core, and the CLI composes them. A new project must be given its place here.
/// </summary>
public sealed class ProjectReferencesTests
{
    static readonly Dictionary<string, string[]> _allowed = new()
    {
        ["Cai.Abstractions"] = [],
        ["Cai.Models"] = ["Cai.Abstractions"],
        ["Cai.Core"] = ["Cai.Abstractions", "Cai.Models"],
        ["Cai.Sandbox"] = ["Cai.Abstractions", "Cai.Models", "Cai.Core"],
        ["Cai.Cli"] = ["Cai.Abstractions", "Cai.Models", "Cai.Core", "Cai.Sandbox"],
        ["Cai.Plugins.Feedback"] = ["Cai.Abstractions", "Cai.Models"],
        ["Cai.Plugins.Training"] = ["Cai.Abstractions", "Cai.Models"],
        ["KeywordJudge"] = ["Cai.Abstractions"],
    };

    public static TheoryData<string> Projects() =>
        new(Directory.GetFiles(Path.Combine(PluginTestFiles.RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(PluginTestFiles.RepoRoot, "plugins"), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj"))
            .Select(p => Path.GetRelativePath(PluginTestFiles.RepoRoot, p))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Projects))]
    public void EachProjectReferencesOnlyTheLayersBelowIt(string project)
    {
        string name = Path.GetFileNameWithoutExtension(project);
        Assert.True(_allowed.TryGetValue(name, out var allowed), $"{project} is a new project: give it its place in this test");
        var references = References(project);
        Assert.All(references, r => Assert.Contains(r, allowed));
    }

    [Fact]
    public void CoreReferencesNeitherTheToyWorldNorAPlugin()
    {
        var references = References(Path.Combine("src", "Cai.Core", "Cai.Core.csproj"));
        Assert.Equal(["Cai.Abstractions", "Cai.Models"], references.Order());
        Assert.DoesNotContain(references, r => r == "Cai.Sandbox" || r.StartsWith("Cai.Plugins", StringComparison.Ordinal));
    }

    [Fact]
    public void PluginsReferenceAbstractionsAndNoHostProject()
    {
        foreach (string plugin in new[] { "Cai.Plugins.Feedback", "Cai.Plugins.Training" })
        {
            var references = References(Path.Combine("plugins", plugin, plugin + ".csproj"));
            Assert.Contains("Cai.Abstractions", references);
            Assert.DoesNotContain("Cai.Core", references);
            Assert.DoesNotContain("Cai.Sandbox", references);
        }
    }

    /// <summary>
    /// The projects whose assemblies a project compiles against. A reference that only builds another project first
    /// (ReferenceOutputAssembly="false": the CLI's built-in plugins, which it ships but never references) is not one.
    /// </summary>
    static List<string> References(string project)
    {
        var document = XDocument.Load(Path.Combine(PluginTestFiles.RepoRoot, project));
        return document.Descendants("ProjectReference")
            .Where(r => !string.Equals((string?)r.Attribute("ReferenceOutputAssembly"), "false", StringComparison.OrdinalIgnoreCase))
            .SelectMany(r => ((string)r.Attribute("Include")!)
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(include => include.Contains("$(") || include.Contains("@(")
                ? throw new InvalidOperationException($"{project}: cannot read the reference {include}")
                : Path.GetFileNameWithoutExtension(include.Replace('\\', '/')))
            .ToList();
    }
}
