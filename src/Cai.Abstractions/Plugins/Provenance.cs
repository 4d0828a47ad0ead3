namespace Cai.Abstractions.Plugins;

/// <summary>What produced an artifact row: enough to trace it back to the exact plugin build, model and seed.</summary>
/// <param name="PluginName">The name in the plugin's <see cref="CaiPluginAttribute"/>.</param>
/// <param name="Kind">Critic, reviser, judge or trainer.</param>
/// <param name="AssemblyVersion">The informational (or assembly) version of the plugin's assembly.</param>
/// <param name="AssemblySha256">Lower-case hex SHA-256 of the plugin's assembly file as loaded.</param>
/// <param name="Model">Name of the model the plugin calls, if any (several are joined with '+').</param>
/// <param name="Seed">The seed the plugin was given.</param>
public sealed record Provenance(
    string PluginName, PluginKind Kind, string AssemblyVersion, string AssemblySha256, string? Model, long Seed);
