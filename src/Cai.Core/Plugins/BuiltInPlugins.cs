namespace Cai.Core.Plugins;

/// <summary>
/// Where the built-in plugin assemblies are: the tool's <c>plugins/&lt;Name&gt;/&lt;Name&gt;.dll</c>, or, in the
/// development tree, the newest <c>plugins/Cai.Plugins.*/bin/*/net*/Cai.Plugins.*.dll</c>.
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
                if (found.ContainsKey(name) || !Directory.Exists(Path.Combine(dir, "bin"))) continue;
                var newest = Directory.GetFiles(Path.Combine(dir, "bin"), name + ".dll", SearchOption.AllDirectories)
                    .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}ref{Path.DirectorySeparatorChar}"))
                    .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
                if (newest is not null) found[name] = newest;
            }
        return found.Values.Order(StringComparer.Ordinal).ToList();
    }

    static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CaiFramework.sln")) && Directory.Exists(Path.Combine(dir.FullName, "plugins")))
                return dir.FullName;
        return null;
    }
}
