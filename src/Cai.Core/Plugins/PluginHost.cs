using Cai.Abstractions.Plugins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cai.Core.Plugins;

/// <summary>
/// The loaded plugin assemblies (built-in and third-party, through the same loader) and the plugins they define.
/// Create instances with <see cref="Create{T}"/>; dispose the host after the handles.
/// </summary>
public sealed class PluginHost(ILogger? logger = null) : IDisposable
{
    readonly ILogger _logger = logger ?? NullLogger.Instance;
    readonly List<PluginAssembly> _assemblies = [];

    public IReadOnlyList<PluginAssembly> Assemblies => _assemblies;

    public IEnumerable<PluginDescriptor> Plugins => _assemblies.SelectMany(a => a.Plugins);

    /// <summary>A host with the built-in plugins loaded.</summary>
    public static PluginHost WithBuiltIns(ILogger? logger = null, string? baseDirectory = null)
    {
        var host = new PluginHost(logger);
        foreach (string path in BuiltInPlugins.Find(baseDirectory)) host.Add(path, isBuiltIn: true);
        return host;
    }

    /// <summary>Loads a built-in assembly (trusted).</summary>
    public PluginAssembly AddBuiltIn(string path) => Add(path, isBuiltIn: true);

    /// <summary>Loads a third-party assembly if <see cref="PluginTrust"/> allows it; throws <see cref="PluginTrustException"/> otherwise.</summary>
    public PluginAssembly AddThirdParty(string path, string? pinnedSha256, bool trustPlugins)
    {
        string full = Path.GetFullPath(path);
        if (PluginTrust.Check(path, pinnedSha256, trustPlugins, FileHash.Sha256(full)) is { } refusal)
            throw new PluginTrustException(refusal);
        return Add(full, isBuiltIn: false, sha => PluginTrust.Check(path, pinnedSha256, trustPlugins, sha));
    }

    /// <summary>The plugin of this kind and name, or null.</summary>
    public PluginDescriptor? Find(PluginKind kind, string name) => Plugins.FirstOrDefault(p => p.Kind == kind && p.Name == name);

    /// <summary>Instantiates a plugin for a stage. <typeparamref name="T"/> is the contract of its kind (ICritic, ...).</summary>
    public PluginHandle<T> Create<T>(string name, PluginActivation activation) where T : class
    {
        var kind = PluginKinds.Of<T>();
        var descriptor = Find(kind, name)
            ?? throw new PluginException(name, null, $"no {kind.Key()} plugin named '{name}' (known: {string.Join(", ", Names(kind))})");
        return new PluginHandle<T>(descriptor, activation);
    }

    public IEnumerable<string> Names(PluginKind kind) => Plugins.Where(p => p.Kind == kind).Select(p => p.Name).Order();

    public void Dispose()
    {
        foreach (var assembly in _assemblies) assembly.Dispose();
        _assemblies.Clear();
    }

    PluginAssembly Add(string path, bool isBuiltIn, Func<string, string?>? acceptReload = null)
    {
        string full = Path.GetFullPath(path);
        if (_assemblies.FirstOrDefault(a => a.Path == full) is { } existing) return existing;
        var assembly = PluginAssembly.Load(full, isBuiltIn, _logger, acceptReload);
        foreach (var plugin in assembly.Plugins)
            if (Find(plugin.Kind, plugin.Name) is { } clash)
            {
                assembly.Dispose();
                throw new PluginException(plugin.Name, null, $"{plugin.Kind} plugin defined by both {clash.Assembly.Path} and {full}");
            }
        _assemblies.Add(assembly);
        return assembly;
    }
}
