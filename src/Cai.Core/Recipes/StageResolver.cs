using Cai.Abstractions.Input;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Prompts;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Recipes.Yaml;
using Cai.Core.Stages;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>
/// Resolves one stage: its kind, its plugins and its with:. Each with: key goes to every options record that
/// declares it (the stage's and its plugins'); a key none declares is an error.
/// </summary>
sealed class StageResolver(PluginHost host, StageRegistry stages, YamlBinder binder, Recipe recipe, IReadOnlyList<ResolvedStage> earlier)
{
    static readonly PluginKind[] _slots = [PluginKind.Critic, PluginKind.Reviser, PluginKind.Judge, PluginKind.Trainer,
        PluginKind.Evaluator];

    public ResolvedStage? Resolve(StageSpec spec)
    {
        if (stages.Find(spec.Use) is not { } kind)
        {
            binder.Error(spec.Source.Of("use"), $"unknown stage kind '{spec.Use}' (known: {string.Join(", ", stages.All.Select(k => k.Name))})");
            return null;
        }
        var plugins = new Dictionary<PluginKind, PluginDescriptor>();
        foreach (var slot in _slots)
        {
            string? name = NameIn(spec, slot);
            string key = slot.Key();
            // the embedded evaluator (the toy world's) is the evaluate stage's default and has no plugin
            if (slot == PluginKind.Evaluator && stages.Evaluator is not null && (name is null || name == StageRegistry.EmbeddedEvaluator))
                continue;
            if (name is not null && !kind.Plugins.Contains(slot))
                binder.Error(spec.Source.Of(key), $"stage '{spec.Id}' ({kind.Name}) takes no {key}");
            else if (name is null && kind.Plugins.Contains(slot))
                binder.Error(spec.Source.Location, $"stage '{spec.Id}' ({kind.Name}) needs {(slot == PluginKind.Evaluator ? "an" : "a")} "
                    + $"{key}: (known: {string.Join(", ", host.Names(slot))})");
            else if (name is not null && host.Find(slot, name) is { } descriptor)
                plugins[slot] = descriptor;
            else if (name is not null)
                binder.Error(spec.Source.Of(key), $"unknown {key} plugin '{name}' (known: {string.Join(", ", host.Names(slot))})");
        }
        var with = spec.With ?? EmptyMapping(spec);
        CheckKeys(spec, with, kind, plugins.Values);
        var options = (StageOptions?)binder.BindObject(kind.OptionsType, with, Declares(kind.OptionsType));
        if (options is null) return null;
        CheckReferences(spec, kind, options, plugins);
        var bindings = plugins.ToDictionary(p => p.Key, p => Bind(p.Value, with));
        return new ResolvedStage(spec, kind, options, bindings);
    }

    static string? NameIn(StageSpec spec, PluginKind slot) => slot switch
    {
        PluginKind.Critic => spec.Critic,
        PluginKind.Reviser => spec.Reviser,
        PluginKind.Judge => spec.Judge,
        PluginKind.Evaluator => spec.Evaluator,
        _ => spec.Trainer,
    };

    YamlMappingNode EmptyMapping(StageSpec spec)
    {
        var empty = new YamlMappingNode();
        binder.Source.Place(empty, spec.Source.Location);
        return empty;
    }

    void CheckKeys(StageSpec spec, YamlMappingNode with, StageKind kind, IEnumerable<PluginDescriptor> plugins)
    {
        var owners = new List<(string Label, Type Type)> { ($"{kind.Name} stage", kind.OptionsType) };
        owners.AddRange(plugins.Where(p => p.OptionsType is not null).Select(p => ($"{p.Kind.Key()} '{p.Name}'", p.OptionsType!)));
        foreach (var (keyNode, _) in with.Children)
        {
            if (keyNode is not YamlScalarNode { Value: var key }) continue; // the binder reports it
            key ??= "";
            if (owners.Any(o => Declares(o.Type)(key))) continue;
            string known = string.Join("; ", owners.Select(o => $"{o.Label}: {string.Join(", ", OptionProperties.Of(o.Type).Select(p => p.Key))}"));
            binder.Error(keyNode, $"unknown key {InputError.Quote(key)} in with: of stage '{spec.Id}' (known: {known})");
        }
    }

    void CheckReferences(StageSpec spec, StageKind kind, StageOptions options, IReadOnlyDictionary<PluginKind, PluginDescriptor> plugins)
    {
        if (options is IReadsPromptSets reads)
            foreach (string set in reads.PromptSets.Where(s => !recipe.Prompts.ContainsKey(s)))
                binder.Error(spec.Source.Of("with"),
                    $"stage '{spec.Id}' ({kind.Name}) reads prompt set '{set}', which prompts: does not declare (declared: {string.Join(", ", recipe.Prompts.Keys)})");
        var inputs = options is TrainOptions { Inputs.Count: > 0 } train ? train.Inputs : null;
        var unknownInputs = inputs?.Where(i => earlier.All(s => s.Id != i)).ToList() ?? [];
        foreach (string input in unknownInputs)
            binder.Error(spec.Source.Of("with"), $"stage '{spec.Id}' reads stage '{input}', which is not an earlier stage");
        if (kind.Reads is { } source) RequireEarlier(spec, kind, [source], $"the rows of a {source} stage");
        foreach (var plugin in plugins.Values)
        {
            foreach (string dataset in plugin.Reads)
            {
                if (!TrainStage.DatasetSources.TryGetValue(dataset, out var makers)) continue;
                if (makers.Count > 0 && unknownInputs.Count == 0) RequireEarlier(spec, kind, makers, $"{dataset} (for its {plugin.Kind.Key()} '{plugin.Name}')", inputs);
                else if (recipe.Prompts.All(p => p.Value.KindOf(p.Key) == PromptSetKind.Eval))
                    binder.Error(spec.Source.Location,
                        $"stage '{spec.Id}' ({kind.Name}) needs {dataset} (for its {plugin.Kind.Key()} '{plugin.Name}'), " +
                        "made from the training prompt sets, but prompts: declares none (all are of kind eval)");
            }
            foreach (string role in plugin.Models)
                if (!recipe.Models.ContainsKey(role) && !earlier.Any(s => s.Options is TrainOptions { OutputRole: var output }
                    && output == role))
                    binder.Error(spec.Source.Location,
                        $"stage '{spec.Id}' ({kind.Name}) needs a '{role}' model (for its {plugin.Kind.Key()} '{plugin.Name}'): " +
                        $"give one under models: or train one earlier (a train stage with output_role: {role})");
        }
    }

    /// <summary>An error unless a stage of one of <paramref name="kinds"/> (one of <paramref name="inputs"/>, when given) comes before
    /// <paramref name="spec"/>, naming one that comes after.</summary>
    void RequireEarlier(StageSpec spec, StageKind kind, IReadOnlyList<string> kinds, string what, IReadOnlyList<string>? inputs = null)
    {
        if (earlier.Any(s => kinds.Contains(s.Kind.Name) && (inputs is null || inputs.Contains(s.Id)))) return;
        if (inputs is not null)
        {
            binder.Error(spec.Source.Of("with"), $"stage '{spec.Id}' ({kind.Name}) reads {what}, but none of its inputs ({string.Join(", ", inputs)}) "
                + $"is a {string.Join(" or ", kinds)} stage");
            return;
        }
        string wanted = string.Join(" or ", kinds);
        var later = recipe.Stages.SkipWhile(s => !ReferenceEquals(s, spec)).Skip(1).FirstOrDefault(s => kinds.Contains(s.Use));
        binder.Error(spec.Source.Of("use"), later is null
            ? $"stage '{spec.Id}' ({kind.Name}) reads {what}, but no {wanted} stage comes before it"
            : $"stage '{spec.Id}' ({kind.Name}) reads {what}, but stage '{later.Id}' ({later.Use}) comes after it: "
              + $"move it before '{spec.Id}'");
    }

    PluginBinding Bind(PluginDescriptor descriptor, YamlMappingNode with)
    {
        // Bound now to report errors; bound again by the runner (and after a hot reload, whose options type is new).
        if (descriptor.OptionsType is { } optionsType) binder.BindObject(optionsType, with, Declares(optionsType));
        var source = binder.Source;
        return new PluginBinding(descriptor.Name, descriptor, type =>
        {
            var fresh = new YamlBinder(source);
            var options = (PluginOptions?)fresh.BindObject(type, with, Declares(type));
            fresh.ThrowIfAny();
            return options!;
        });
    }

    static Func<string, bool> Declares(Type type)
    {
        var keys = OptionProperties.Of(type).Select(p => p.Key).ToHashSet();
        return keys.Contains;
    }
}
