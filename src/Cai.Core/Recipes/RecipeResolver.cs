using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;
using Cai.Core.Constitutions;
using Cai.Core.Plugins;
using Cai.Core.Prompts;
using Cai.Core.Recipes.Stages;
using Cai.Core.Recipes.Yaml;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>
/// Validates a recipe without running it: files exist and parse, third-party plugins are trusted and loaded into
/// <paramref name="host"/>, stage kinds and plugin names exist, and every with: key binds to an options record.
/// All problems are reported at once, each with file, line and column.
/// </summary>
public sealed class RecipeResolver(PluginHost host, bool trustPlugins)
{
    /// <summary>Loads, validates and resolves; throws <see cref="RecipeException"/> listing every problem.</summary>
    public static ResolvedRecipe Resolve(string path, PluginHost host, bool trustPlugins = false) =>
        new RecipeResolver(host, trustPlugins).Resolve(path);

    public ResolvedRecipe Resolve(string path)
    {
        var (recipe, source) = RecipeLoader.Load(path);
        var binder = new YamlBinder(source);
        var models = ResolveModels(recipe, binder);
        var constitution = Read(recipe.Source.Of("constitution"), recipe.Constitution, "constitution", ConstitutionLoader.Load, binder);
        var prompts = new Dictionary<string, PromptSet>();
        foreach (var (name, file) in recipe.Prompts)
            if (Read(recipe.Source.Of("prompts"), file, $"prompt set '{name}'", f => PromptSet.Load(name, f), binder) is { } set)
                prompts[name] = set;
        foreach (var pin in recipe.Plugins) LoadPinned(pin, binder);
        var stages = new List<ResolvedStage>();
        foreach (var spec in recipe.Stages)
        {
            if (stages.Any(s => s.Id == spec.Id)) binder.Error(spec.Source.Of("id"), $"duplicate stage id '{spec.Id}'");
            if (new StageResolver(host, binder, recipe, stages).Resolve(spec) is { } stage) stages.Add(stage);
        }
        RecipeException.ThrowIfAny(binder.Errors);
        return new ResolvedRecipe(recipe, constitution!, prompts, models, stages);
    }

    static IReadOnlyDictionary<string, IReadOnlyList<string>> ResolveModels(Recipe recipe, YamlBinder binder)
    {
        if (!recipe.Models.ContainsKey("policy") && !recipe.Stages.Any(s => s.Use == "pretrain")) binder.Error(recipe.Source.Of("models"), "models: needs a 'policy' model");
        var resolved = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (role, source) in recipe.Models)
        {
            var paths = new List<string>();
            foreach (var member in source.Members)
            {
                if (member.Path is { } path)
                {
                    if (Directory.Exists(path)) paths.Add(path);
                    else binder.Error(member.Location, $"model directory not found: {path}");
                }
                else if (member.Role is { } other && recipe.Models.TryGetValue(other, out var target) && other != role
                         && target.Members.All(m => m.Path is not null))
                    paths.AddRange(target.Members.Select(m => m.Path!).Where(Directory.Exists));
                else
                    binder.Error(member.Location, $"model role '{member.Role}' must name another role given by path (roles: {string.Join(", ", recipe.Models.Keys)})");
            }
            resolved[role] = paths;
        }
        return resolved;
    }

    static T? Read<T>(SourceLocation at, string file, string what, Func<string, T> load, YamlBinder binder) where T : class
    {
        if (!File.Exists(file))
        {
            binder.Error(at, $"{what} file not found: {file}");
            return null;
        }
        try { return load(file); }
        catch (RecipeException e)
        {
            foreach (var error in e.Errors) binder.Error(error.Location ?? at, error.Message);
            return null;
        }
    }

    void LoadPinned(PluginPin pin, YamlBinder binder)
    {
        var at = pin.Source.Of("path");
        if (!File.Exists(pin.Path))
        {
            binder.Error(at, $"plugin assembly not found: {pin.Path}");
            return;
        }
        try { host.AddThirdParty(pin.Path, pin.Sha256, trustPlugins); }
        catch (Exception e) when (e is PluginTrustException or PluginException or BadImageFormatException or FileLoadException)
        {
            binder.Error(e is PluginTrustException ? pin.Source.Of("sha256") : at, e.Message);
        }
    }
}
