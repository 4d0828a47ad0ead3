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
    public Provenance ProvenanceFor(string? model, long seed) =>
        new(Name, Kind, Assembly.Version, Assembly.Sha256, model, seed);
}
