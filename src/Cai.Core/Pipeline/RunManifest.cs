using System.Reflection;
using Cai.Core.Recipes;
using Cai.Core.Runs;

namespace Cai.Core.Pipeline;

/// <summary>
/// run.json: what produced a run (recipe, seed, the resolved device and the inference dtype, models, plugins with their
/// hashes, versions).
/// </summary>
public sealed record RunManifest(
    string Recipe, string RecipeFile, long Seed, string Device, string Dtype, IReadOnlyDictionary<string, IReadOnlyList<string>> Models,
    IReadOnlyList<string> Stages, IReadOnlyList<PluginRecord> Plugins, string CaiVersion, string Runtime, DateTimeOffset CreatedAt)
{
    public static RunManifest For(ResolvedRecipe recipe, ModelFactory factory, Plugins.PluginHost host, DateTimeOffset now) => new(
        recipe.Recipe.Name,
        recipe.Recipe.Source.Location.File,
        recipe.Recipe.Seed,
        factory.Device,
        factory.DType.Name(),
        recipe.Models,
        recipe.Stages.Select(s => $"{s.Id}: {s.Kind.Name}").ToList(),
        host.Plugins.Select(p => new PluginRecord(p.Name, p.Kind.ToString(), p.Assembly.Path, p.Assembly.Sha256)).ToList(),
        typeof(RunManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        now);

    public void Write(RunLayout layout) => RunLayout.WriteJson(layout.RunManifest, this);
}

public sealed record PluginRecord(string Name, string Kind, string Assembly, string Sha256);
