namespace Cai.Abstractions.Plugins;

/// <summary>A failure inside a plugin, naming the plugin and, when known, the item it was working on.</summary>
public sealed class PluginException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginName">The failing plugin's name.</param>
    /// <param name="itemId">The item being processed, or null when the failure is not tied to one item.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The original exception, if any.</param>
    public PluginException(string pluginName, string? itemId, string message, Exception? innerException = null)
        : base(Format(pluginName, itemId, message), innerException)
    {
        PluginName = pluginName;
        ItemId = itemId;
    }

    /// <summary>The failing plugin's name.</summary>
    public string PluginName { get; }

    /// <summary>The item being processed, if known.</summary>
    public string? ItemId { get; }

    static string Format(string plugin, string? itemId, string message) =>
        itemId is null ? $"plugin '{plugin}': {message}" : $"plugin '{plugin}', item '{itemId}': {message}";
}
