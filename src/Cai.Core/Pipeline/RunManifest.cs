using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cai.Core.Recipes;
using Cai.Core.Runs;

namespace Cai.Core.Pipeline;

/// <summary>
/// run.json: what produced a run (recipe, seed, the resolved device and the inference dtype, models, plugins with their
/// hashes, versions) and the hash of the resolved recipe, by part (<see cref="RecipeParts"/>), so that a resume can
/// name what changed.
/// </summary>
public sealed record RunManifest(
    string Recipe, string RecipeFile, long Seed, string Device, string Dtype, IReadOnlyDictionary<string, IReadOnlyList<string>> Models,
    IReadOnlyList<string> Stages, IReadOnlyList<PluginRecord> Plugins, string CaiVersion, string Runtime, DateTimeOffset CreatedAt)
{
    /// <summary>SHA-256 of the resolved recipe: its parts' hashes in order. Null in run.json of older runs.</summary>
    public string? RecipeHash { get; init; }

    /// <summary>
    /// SHA-256 of each part of the resolved recipe: seed, device, dtype, models, constitution, prompts, and each stage
    /// ("stage ID": its kind, plugins and options, the plugins' options included).
    /// </summary>
    public IReadOnlyDictionary<string, string>? RecipeParts { get; init; }

    public static RunManifest For(ResolvedRecipe recipe, ModelFactory factory, Plugins.PluginHost host, DateTimeOffset now)
    {
        var parts = PartsOf(recipe, factory);
        return new(
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
            now)
        {
            RecipeParts = parts,
            RecipeHash = Sha256(string.Join("\n", parts.Select(p => $"{p.Key}={p.Value}"))),
        };
    }

    public void Write(RunLayout layout) => RunLayout.WriteJson(layout.RunManifest, this);

    public static RunManifest Read(RunLayout layout) =>
        JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(layout.RunManifest), RunLayout.Json)
        ?? throw new InvalidDataException($"empty run manifest {layout.RunManifest}");

    /// <summary>The parts of the recipe that differ from <paramref name="earlier"/>'s (added and removed ones included);
    /// empty when they agree or <paramref name="earlier"/> predates recipe hashes.</summary>
    public IReadOnlyList<string> ChangedSince(RunManifest earlier)
    {
        if (earlier.RecipeParts is not { } before || RecipeParts is not { } now) return [];
        return now.Keys.Union(before.Keys)
            .Where(k => !now.TryGetValue(k, out string? a) || !before.TryGetValue(k, out string? b) || a != b)
            .ToList();
    }

    static Dictionary<string, string> PartsOf(ResolvedRecipe recipe, ModelFactory factory)
    {
        var json = new JsonSerializerOptions(RunLayout.Json) { WriteIndented = false };
        string Hash(object value) => Sha256(JsonSerializer.Serialize(value, value.GetType(), json));
        var parts = new Dictionary<string, string>
        {
            ["seed"] = Hash(recipe.Recipe.Seed),
            ["device"] = Hash(factory.Device),
            ["dtype"] = Hash(factory.DType.Name()),
            ["models"] = Hash(recipe.Models),
            ["constitution"] = Hash(recipe.Constitution),
            ["prompts"] = Hash(recipe.Prompts.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new { p.Key, Kind = p.Value.Kind.ToString(), p.Value.Prompts }).ToList()),
        };
        foreach (var stage in recipe.Stages)
        {
            var plugins = new JsonObject();
            foreach (var (kind, binding) in stage.Plugins.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
                plugins[kind.ToString()] = new JsonObject
                {
                    ["name"] = binding.Name,
                    ["options"] = binding.Descriptor.OptionsType is { } type
                        ? JsonSerializer.SerializeToNode(binding.BindOptions(type), type, json) : null,
                };
            var node = new JsonObject
            {
                ["kind"] = stage.Kind.Name,
                ["options"] = JsonSerializer.SerializeToNode(stage.Options, stage.Options.GetType(), json),
                ["plugins"] = plugins,
            };
            parts[$"stage {stage.Id}"] = Sha256(node.ToJsonString());
        }
        return parts;
    }

    static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

public sealed record PluginRecord(string Name, string Kind, string Assembly, string Sha256);
