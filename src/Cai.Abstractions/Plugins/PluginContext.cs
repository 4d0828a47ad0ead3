using Cai.Abstractions.Constitution;
using Cai.Abstractions.Feedback;
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

    /// <summary>
    /// Creates another judge plugin by name, through the same host and with the same stage options, so that an
    /// ensemble can use judges from other assemblies as members; null when the host offers no such resolver.
    /// </summary>
    public Func<string, IJudge>? JudgeResolver { get; init; }

    /// <summary>
    /// A new instance of the judge plugin named <paramref name="name"/>. The caller owns it: dispose it (it may be
    /// <see cref="IDisposable"/>) when the caller is disposed.
    /// </summary>
    /// <param name="name">A judge plugin's name in recipes, e.g. "keyword".</param>
    /// <exception cref="InvalidOperationException">The host gives this plugin no <see cref="JudgeResolver"/>.</exception>
    public IJudge ResolveJudge(string name) =>
        JudgeResolver is { } resolve
            ? resolve(name)
            : throw new InvalidOperationException(
                $"plugin '{Provenance.PluginName}' needs judge '{name}', but its host cannot create judge plugins for it");

    /// <summary>The model playing <paramref name="role"/>.</summary>
    /// <param name="role">A role such as "policy" or "feedback".</param>
    /// <exception cref="KeyNotFoundException">The recipe gives no model for that role; the message lists those it gives.</exception>
    public ITextModel GetModel(string role) =>
        Models.TryGetValue(role, out var model)
            ? model
            : throw new KeyNotFoundException(
                $"plugin '{Provenance.PluginName}' needs a '{role}' model; the recipe gives: {string.Join(", ", Models.Keys.Order())}");
}
