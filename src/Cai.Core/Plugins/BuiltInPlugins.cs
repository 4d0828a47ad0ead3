using System.Reflection;
using System.Runtime.Versioning;

namespace Cai.Core.Plugins;

/// <summary>
/// Where the built-in plugin assemblies are: the tool's <c>plugins/&lt;Name&gt;/&lt;Name&gt;.dll</c> (every build,
/// publish and package of cai ships them there), or, for a host without that folder in the development tree (a test or
/// bench assembly), <c>plugins/Cai.Plugins.*/bin/&lt;Configuration&gt;/&lt;tfm&gt;/Cai.Plugins.*.dll</c> of the host's own
/// build configuration and target framework.
/// </summary>
public static class BuiltInPlugins
{
    /// <summary>The tool's plugins folder, beside its assembly.</summary>
    public static string ToolFolder => Path.Combine(AppContext.BaseDirectory, "plugins");

    public static IReadOnlyList<string> Find(string? baseDirectory = null)
    {
        baseDirectory ??= AppContext.BaseDirectory;
        var found = new Dictionary<string, string>();
        string shipped = Path.Combine(baseDirectory, "plugins");
        if (Directory.Exists(shipped))
            foreach (string dir in Directory.GetDirectories(shipped))
            {
                string name = Path.GetFileName(dir);
                string dll = Path.Combine(dir, name + ".dll");
                if (File.Exists(dll)) found[name] = dll;
            }
        if (FindRepositoryRoot(baseDirectory) is { } root)
            foreach (string dir in Directory.GetDirectories(Path.Combine(root, "plugins"), "Cai.Plugins.*"))
            {
                string name = Path.GetFileName(dir);
                string dll = Path.Combine(dir, "bin", Configuration, TargetFramework, name + ".dll");
                if (!found.ContainsKey(name) && File.Exists(dll)) found[name] = dll;
            }
        return found.Values.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The build configuration of this assembly (Debug, Release, ...), which the host and its plugins share.</summary>
    public static string Configuration { get; } =
        typeof(BuiltInPlugins).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>The target framework moniker of this assembly, e.g. net10.0.</summary>
    public static string TargetFramework { get; } =
        typeof(BuiltInPlugins).Assembly.GetCustomAttribute<TargetFrameworkAttribute>() is { } attribute
            ? $"net{new FrameworkName(attribute.FrameworkName).Version.ToString(2)}"
            : $"net{Environment.Version.ToString(2)}";

    static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CaiFramework.sln")) && Directory.Exists(Path.Combine(dir.FullName, "plugins")))
                return dir.FullName;
        return null;
    }
}
