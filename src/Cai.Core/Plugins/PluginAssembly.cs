using System.Reflection;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Plugins;

/// <summary>
/// One plugin assembly in its own load context (one <see cref="PluginLoader"/> per assembly). It is loaded from
/// memory, so the file can be rebuilt or replaced while it runs; <see cref="RefreshIfChanged"/> then loads the new
/// build as a new <see cref="Generation"/>.
/// </summary>
public sealed class PluginAssembly : IDisposable
{
    readonly ILogger _logger;
    readonly Func<string, string?> _acceptReload;
    readonly List<PluginLoader> _retired = [];
    PluginLoader _loader;

    PluginAssembly(string path, bool isBuiltIn, ILogger logger, Func<string, string?> acceptReload, PluginLoader loader, string sha256)
    {
        Path = path;
        IsBuiltIn = isBuiltIn;
        _logger = logger;
        _acceptReload = acceptReload;
        _loader = loader;
        Sha256 = sha256;
        Assembly = loader.LoadDefaultAssembly();
        ContractVersion.Check(Assembly, path);
        Recipes.Yaml.XmlDocs.Locate(Assembly, path);
        Version = VersionOf(Assembly);
        Plugins = PluginTypeScanner.Scan(Assembly, this);
    }

    /// <summary>Absolute path of the main assembly file.</summary>
    public string Path { get; }

    /// <summary>Shipped with the tool (or built in the dev tree) rather than named in a recipe.</summary>
    public bool IsBuiltIn { get; }

    /// <summary>SHA-256 of the file as currently loaded.</summary>
    public string Sha256 { get; private set; }

    /// <summary>Informational version of the loaded build.</summary>
    public string Version { get; private set; }

    /// <summary>The loaded assembly.</summary>
    public Assembly Assembly { get; private set; }

    /// <summary>Incremented each time a new build is loaded.</summary>
    public int Generation { get; private set; }

    /// <summary>Plugin classes of the current build.</summary>
    public IReadOnlyList<PluginDescriptor> Plugins { get; private set; }

    /// <summary>Loads an assembly. <paramref name="acceptReload"/> gets a new build's hash and returns why it is refused, or null.</summary>
    public static PluginAssembly Load(string path, bool isBuiltIn, ILogger logger, Func<string, string?>? acceptReload = null)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        string sha256 = FileHash.Sha256(fullPath);
        return new PluginAssembly(fullPath, isBuiltIn, logger, acceptReload ?? (_ => null), CreateLoader(fullPath), sha256);
    }

    /// <summary>
    /// Loads the file again if its content changed since it was loaded. Call at batch boundaries. A build that fails
    /// to load (e.g. still being written) or is refused keeps the current one and is retried at the next call.
    /// </summary>
    /// <returns>True when a new generation was loaded.</returns>
    public bool RefreshIfChanged()
    {
        string sha256;
        try { sha256 = FileHash.Sha256(Path); }
        catch (IOException e)
        {
            _logger.LogWarning("plugin assembly {Path} is not readable now ({Message}); keeping the loaded build", Path, e.Message);
            return false;
        }
        if (sha256 == Sha256) return false;
        if (_acceptReload(sha256) is { } refusal)
        {
            _logger.LogWarning("plugin assembly {Path} changed but was not reloaded: {Reason}", Path, refusal);
            return false;
        }
        var next = CreateLoader(Path);
        try
        {
            var assembly = next.LoadDefaultAssembly();
            ContractVersion.Check(assembly, Path);
            Recipes.Yaml.XmlDocs.Locate(assembly, Path);
            var previous = (_loader, Assembly, Version, Plugins, Sha256);
            (_loader, Assembly, Version, Sha256) = (next, assembly, VersionOf(assembly), sha256);
            try { Plugins = PluginTypeScanner.Scan(assembly, this); }
            catch
            {
                (_loader, Assembly, Version, Plugins, Sha256) = previous;
                throw;
            }
            _retired.Add(previous._loader);
            Generation++;
            _logger.LogInformation("plugin assembly {Path} reloaded: sha256 {Old} -> {New} (generation {Generation})",
                Path, previous.Sha256, sha256, Generation);
            return true;
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException or Abstractions.Plugins.PluginException)
        {
            next.Dispose();
            _logger.LogWarning("plugin assembly {Path} changed but its new build does not load ({Message}); keeping the loaded build", Path, e.Message);
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var old in _retired) old.Dispose();
        _retired.Clear();
        _loader.Dispose();
    }

    static PluginLoader CreateLoader(string path) =>
        PluginLoader.CreateFromAssemblyFile(path, SharedAssemblies.Types.ToArray(), config =>
        {
            config.IsUnloadable = true;
            config.LoadInMemory = true;
        });

    static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
}
