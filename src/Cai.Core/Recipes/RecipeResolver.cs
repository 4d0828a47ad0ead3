using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;
using Cai.Core.Constitutions;
using Cai.Core.Plugins;
using Cai.Core.Prompts;
using Cai.Core.Pipeline;
using Cai.Core.Stages;
using Cai.Core.Recipes.Yaml;
using Cai.Abstractions.Input;
using Cai.Models.Checkpoints;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>
/// Validates a recipe without running it: files exist and parse, third-party plugins are trusted and loaded into
/// <paramref name="host"/>, stage kinds and plugin names exist, and every with: key binds to an options record.
/// All problems are reported at once, each with file, line and column.
/// </summary>
public sealed class RecipeResolver(PluginHost host, StageRegistry stages, bool trustPlugins)
{
    /// <summary>Loads, validates and resolves with the stage kinds of <paramref name="stages"/>; throws <see cref="InputException"/> listing every problem.</summary>
    public static ResolvedRecipe Resolve(string path, PluginHost host, StageRegistry stages, bool trustPlugins = false) =>
        new RecipeResolver(host, stages, trustPlugins).Resolve(path);

    /// <summary>Roles whose weights a stage loads (the policy and reward model trained, a reward model scoring): never served models.</summary>
    static readonly string[] _checkpointRoles = ["policy", "reward"];

    /// <summary>Stage ids that name the run folder's own files.</summary>
    static readonly string[] _reservedIds = ["plots", "run.json", "report.md"];

    public ResolvedRecipe Resolve(string path)
    {
        var (recipe, source) = RecipeLoader.Load(path);
        var binder = new YamlBinder(source);
        var (models, remote) = ResolveModels(recipe, stages, binder);
        var constitution = Read(recipe.Source.Of("constitution"), recipe.Constitution, "constitution", ConstitutionFile.Load, binder);
        var prompts = new Dictionary<string, PromptSet>();
        foreach (var (name, entry) in recipe.Prompts)
            if (Read(recipe.Source.Of("prompts"), entry.Path, $"prompt set '{name}'",
                    f => PromptSet.Load(name, f, entry.KindOf(name), entry.Fields), binder) is { } set)
                prompts[name] = set;
        LoadPlugins(recipe, host, trustPlugins, binder);
        var resolved = new List<ResolvedStage>();
        foreach (var spec in recipe.Stages)
        {
            if (resolved.Any(s => s.Id == spec.Id)) binder.Error(spec.Source.Of("id"), $"duplicate stage id '{spec.Id}'");
            if (_reservedIds.Contains(spec.Id))
                binder.Error(spec.Source.Of("id"),
                    $"stage id '{spec.Id}' is the name of a file of the run folder (reserved: {string.Join(", ", _reservedIds)})");
            if (new StageResolver(host, stages, binder, recipe, resolved).Resolve(spec) is { } stage) resolved.Add(stage);
        }
        var chatFormats = ChatFormats(recipe, binder);
        binder.ThrowIfAny();
        return new ResolvedRecipe(recipe, constitution!, prompts, models, resolved, remote) { ChatFormats = chatFormats };
    }

    /// <summary>The chat formats chosen under models:, by checkpoint; one checkpoint cannot get two.</summary>
    static Dictionary<string, string> ChatFormats(Recipe recipe, YamlBinder binder)
    {
        var chosen = new Dictionary<string, string>();
        foreach (var member in recipe.Models.Values.SelectMany(source => source.Members))
        {
            if (member is not { Path: { } path, ChatFormat: { } format }) continue;
            string full = Path.GetFullPath(path);
            if (chosen.TryGetValue(full, out var other) && other != format)
                binder.Error(member.Location, $"model {path}: chat_format {format} differs from the {other} given to the same checkpoint");
            chosen[full] = format;
        }
        return chosen;
    }

    static (IReadOnlyDictionary<string, IReadOnlyList<string>> Models, IReadOnlyDictionary<string, RemoteModel> Remote) ResolveModels(
        Recipe recipe, StageRegistry stages, YamlBinder binder)
    {
        var remote = new Dictionary<string, RemoteModel>();
        if (!recipe.Models.ContainsKey("policy") && !recipe.Stages.Any(s => stages.Find(s.Use)?.Creates.Contains("policy") == true))
            binder.Error(recipe.Source.Of("models"), "models: needs a 'policy' model");
        var checkedPaths = new Dictionary<string, bool>();
        bool Valid(ModelRef member, string path)
        {
            if (checkedPaths.TryGetValue(path, out bool valid)) return valid;
            try
            {
                CheckpointDirectory.Validate(path, chatFormat: member.ChatFormat);
                valid = true;
            }
            catch (InputException e)
            {
                foreach (var error in e.Errors) binder.Error(member.Location, $"model {path}: {Relative(error, path)}");
                valid = false;
            }
            return checkedPaths[path] = valid;
        }
        var resolved = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (role, source) in recipe.Models)
        {
            var paths = new List<string>();
            foreach (var member in source.Members)
            {
                if (member.Path is { } path)
                {
                    if (Valid(member, path)) paths.Add(path);
                }
                else if (member.Remote is { } served)
                {
                    if (_checkpointRoles.Contains(role))
                        binder.Error(member.Location, $"model role '{role}' is trained or loaded as weights and must be a checkpoint {{ path: ... }}, "
                                                      + "not a served model (feedback roles may be served)");
                    if (remote.TryGetValue(served.Id, out var seen) && !SameSettings(seen, served))
                        binder.Error(member.Location, $"model {served.Id} is given twice with different settings");
                    remote.TryAdd(served.Id, served);
                    paths.Add(served.Id);
                }
                else if (member.Role is { } other && recipe.Models.TryGetValue(other, out var target) && other != role
                         && target.Members.All(m => m.Id is not null))
                    paths.AddRange(target.Members.Select(m => m.Id!));
                else
                    binder.Error(member.Location, $"model role {InputError.Quote(member.Role)} must name another role given by path or endpoint "
                                                  + $"(roles: {string.Join(", ", recipe.Models.Keys)})");
            }
            resolved[role] = paths;
        }
        return (resolved, remote);
    }

    static bool SameSettings(RemoteModel a, RemoteModel b) => a with { Source = SourceMap.None } == b with { Source = SourceMap.None };

    /// <summary>An error inside a file the recipe names, with the file's path shortened to its name under <paramref
    /// name="directory"/>.</summary>
    static string Relative(InputError error, string directory)
    {
        if (error.Location is not { } at) return error.Message;
        string file = at.File.StartsWith(directory, StringComparison.Ordinal) ? Path.GetRelativePath(directory, at.File) : at.File;
        return file == "." ? error.Message : $"{at with { File = file }}: {error.Message}";
    }

    static T? Read<T>(SourceLocation at, string file, string what, Func<string, T> load, YamlBinder binder) where T : class
    {
        if (!File.Exists(file) && !Directory.Exists(file))
        {
            binder.Error(at, $"{what} file not found: {file}");
            return null;
        }
        try { return load(file); }
        catch (InputException e)
        {
            // Problems with the file as a whole are reported where the recipe names it; problems inside it, in it.
            foreach (var error in e.Errors)
                if (error.Location is { Line: > 0 } inside) binder.Error(inside, error.Message);
                else binder.Error(at, $"{what} {file}: {error.Message}");
            binder.CountMore(e.More);
            return null;
        }
    }

    /// <summary>
    /// Loads the recipe's third-party plugin assemblies into <paramref name="host"/>: each from the folder tree of the recipe
    /// file that pins it or the tool's plugins folder, pinned by SHA-256, unless <paramref name="trustPlugins"/>.
    /// </summary>
    public static void LoadPlugins(Recipe recipe, PluginHost host, bool trustPlugins, YamlBinder binder)
    {
        foreach (var pin in recipe.Plugins)
        {
            var at = pin.Source.Of("path");
            if (!File.Exists(pin.Path))
            {
                binder.Error(at, $"plugin assembly not found: {pin.Path}");
                continue;
            }
            string recipeFolder = Path.GetDirectoryName(Path.GetFullPath(at.File))!;
            if (PluginTrust.CheckPlace(pin.Path, [recipeFolder, BuiltInPlugins.ToolFolder], trustPlugins) is { } refusal)
            {
                binder.Error(at, refusal);
                continue;
            }
            try { host.AddThirdParty(pin.Path, pin.Sha256, trustPlugins); }
            catch (BadImageFormatException e)
            {
                binder.Error(at, $"plugin assembly {pin.Path} is not a .NET assembly ({e.Message.TrimEnd('.')})");
            }
            catch (Exception e) when (e is PluginTrustException or PluginException or FileLoadException)
            {
                binder.Error(e is PluginTrustException ? pin.Source.Of("sha256") : at, e.Message);
            }
        }
    }
}
