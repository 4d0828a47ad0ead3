namespace Cai.Core.Plugins;

/// <summary>A third-party assembly runs only if the recipe pins its SHA-256 or the user trusts all plugins.</summary>
public static class PluginTrust
{
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
