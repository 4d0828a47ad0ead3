namespace Cai.Core.Plugins;

/// <summary>A third-party plugin assembly is not pinned, or does not match its pin.</summary>
public sealed class PluginTrustException(string message) : Exception(message);
