using Cai.Abstractions.Constitution;
using Cai.Abstractions.Text;
using Microsoft.Extensions.Logging;

namespace Cai.Abstractions.Plugins;

/// <summary>What the host gives a plugin's constructor: its models, the constitution, the seed and a logger.</summary>
public sealed class PluginContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="models">Text models by role, e.g. "policy" and "feedback" (an ensemble adds "feedback.1", ...).</param>
    /// <param name="constitution">The recipe's constitution.</param>
    /// <param name="seed">The seed derived for this plugin in this stage.</param>
    /// <param name="logger">Where the plugin logs.</param>
    /// <param name="provenance">The plugin's own provenance, to stamp on what it produces.</param>
    public PluginContext(IReadOnlyDictionary<string, ITextModel> models, ConstitutionDocument constitution, long seed,
        ILogger logger, Provenance provenance)
    {
        Models = models;
        Constitution = constitution;
        Seed = seed;
        Logger = logger;
        Provenance = provenance;
    }

    /// <summary>Text models by role.</summary>
    public IReadOnlyDictionary<string, ITextModel> Models { get; }

    /// <summary>The recipe's constitution.</summary>
    public ConstitutionDocument Constitution { get; }

    /// <summary>The seed for this plugin in this stage; derive per-item seeds from it and the item id.</summary>
    public long Seed { get; }

    /// <summary>Where the plugin logs.</summary>
    public ILogger Logger { get; }

    /// <summary>The plugin's own provenance (name, kind, version, assembly hash, model, seed).</summary>
    public Provenance Provenance { get; }

    /// <summary>The model playing <paramref name="role"/>.</summary>
    /// <param name="role">A role such as "policy" or "feedback".</param>
    /// <exception cref="KeyNotFoundException">The recipe gives no model for that role; the message lists those it gives.</exception>
    public ITextModel GetModel(string role) =>
        Models.TryGetValue(role, out var model)
            ? model
            : throw new KeyNotFoundException(
                $"plugin '{Provenance.PluginName}' needs a '{role}' model; the recipe gives: {string.Join(", ", Models.Keys.Order())}");
}
