using Cai.Abstractions.Plugins;

namespace Cai.Core.Plugins;

/// <summary>A plugin class found in a loaded assembly.</summary>
/// <param name="Name">Its name in recipes.</param>
/// <param name="Kind">Critic, reviser, judge or trainer.</param>
/// <param name="Description">From <see cref="CaiPluginAttribute.Description"/>.</param>
/// <param name="Type">The class, in the assembly's current load context.</param>
/// <param name="OptionsType">Its options record, or null when it takes none.</param>
/// <param name="Assembly">The assembly that defines it.</param>
public sealed record PluginDescriptor(string Name, PluginKind Kind, string? Description, Type Type, Type? OptionsType, PluginAssembly Assembly)
{
    /// <summary>From <see cref="CaiPluginAttribute.Reads"/>: datasets it reads.</summary>
    public IReadOnlyList<string> Reads { get; init; } = [];

    /// <summary>From <see cref="CaiPluginAttribute.Models"/>: model roles it needs besides the policy.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    public Provenance ProvenanceFor(string? model, long seed) =>
        new(Name, Kind, Assembly.Version, Assembly.Sha256, model, seed);
}
