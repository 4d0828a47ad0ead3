namespace Cai.Core.Plugins;

/// <summary>
/// A third-party assembly runs only if the recipe pins its SHA-256 and it lies in the recipe's folder tree or the
/// tool's plugins folder, or the user trusts all plugins.
/// </summary>
public static class PluginTrust
{
    /// <summary>Why the file may not load from where it is, or null when it may.</summary>
    public static string? CheckPlace(string path, IEnumerable<string> folders, bool trustPlugins)
    {
        if (trustPlugins) return null;
        string full = Path.GetFullPath(path);
        var allowed = folders.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f)) + Path.DirectorySeparatorChar).ToList();
        return allowed.Any(f => full.StartsWith(f, StringComparison.Ordinal)) ? null
            : $"plugin assembly {path} is outside the recipe's folder and the tool's plugins folder ({string.Join(", ", allowed)}): "
              + "move it there, or pass --trust-plugins";
    }

    /// <summary>Why the file may not load, or null when it may.</summary>
    public static string? Check(string path, string? pinnedSha256, bool trustPlugins, string actualSha256)
    {
        if (pinnedSha256 is null)
            return trustPlugins ? null
                : $"plugin assembly {path} is not pinned: add 'sha256: {actualSha256}' to its plugins: entry, or pass --trust-plugins";
        return string.Equals(pinnedSha256, actualSha256, StringComparison.OrdinalIgnoreCase) || trustPlugins ? null
            : $"plugin assembly {path} does not match its pin: recipe has sha256 {pinnedSha256.ToLowerInvariant()}, file has {actualSha256}";
    }
}
