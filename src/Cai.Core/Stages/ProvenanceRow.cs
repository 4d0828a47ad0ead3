using System.Text.Json.Nodes;
using Cai.Abstractions.Plugins;

namespace Cai.Core.Stages;

/// <summary>A plugin's provenance as a JSON column of a data row.</summary>
public static class ProvenanceRow
{
    public static JsonObject Of(Provenance provenance) => new()
    {
        ["plugin"] = provenance.PluginName,
        ["kind"] = provenance.Kind.ToString().ToLowerInvariant(),
        ["version"] = provenance.AssemblyVersion,
        ["sha256"] = provenance.AssemblySha256,
        ["model"] = provenance.Model,
        ["seed"] = provenance.Seed,
    };
}
