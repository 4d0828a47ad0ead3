using Cai.Core.Recipes.Yaml;
using Cai.Abstractions.Input;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>
/// Reads a recipe file strictly and applies <c>extends:</c>. Merging: the child's keys override the parent's;
/// mappings (models, prompts, a stage's with) merge key by key; other sequences are replaced; stages merge by id:
/// a child stage whose id the parent has is merged into the parent's stage in place, new ids are appended.
/// </summary>
public static class RecipeLoader
{
    /// <summary>Longest chain of <c>extends:</c>.</summary>
    public const int MaxExtends = 16;

    /// <summary>Loads and binds a recipe; throws <see cref="InputException"/> listing every problem.</summary>
    public static (Recipe Recipe, YamlSource Source) Load(string path)
    {
        var source = new YamlSource();
        var root = LoadMerged(source, path, []);
        var binder = new YamlBinder(source);
        var recipe = binder.Bind<Recipe>(root);
        binder.ThrowIfAny();
        return (recipe!, source);
    }

    static YamlMappingNode LoadMerged(YamlSource source, string path, List<string> chain, SourceLocation? from = null)
    {
        string fullPath = Path.GetFullPath(path);
        if (chain.Contains(fullPath))
            throw new InputException(from, $"extends: cycle: {string.Join(" -> ", chain.Append(fullPath))}");
        if (chain.Count >= MaxExtends)
            throw new InputException(from, $"extends: more than {MaxExtends} recipes deep");
        chain.Add(fullPath);
        var child = source.Load(path);
        if (!child.Children.TryGetValue(new YamlScalarNode("extends"), out var extendsNode)) return child;
        var at = source.Locate(extendsNode);
        if (extendsNode is not YamlScalarNode { Value: { Length: > 0 } parentPath } || string.IsNullOrWhiteSpace(parentPath))
            throw new InputException(at, "extends: expected a recipe file path");
        string resolved = source.ResolvePath(extendsNode, parentPath);
        if (!File.Exists(resolved))
            throw new InputException(at, $"extends: file not found: {resolved}");
        // Errors name the parent as the user would: relative to the current folder when it is below it.
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), resolved);
        var parent = LoadMerged(source, relative.StartsWith("..", StringComparison.Ordinal) ? resolved : relative, chain, at);
        return MergeMappings(source, parent, child);
    }

    static YamlMappingNode MergeMappings(YamlSource source, YamlMappingNode parent, YamlMappingNode child)
    {
        var merged = new YamlMappingNode();
        source.Adopt(merged, child);
        foreach (var (key, parentValue) in parent.Children)
            merged.Add(key, child.Children.TryGetValue(key, out var childValue) ? Merge(source, key, parentValue, childValue) : parentValue);
        foreach (var (key, childValue) in child.Children)
            if (!parent.Children.ContainsKey(key)) merged.Add(key, childValue);
        return merged;
    }

    static YamlNode Merge(YamlSource source, YamlNode key, YamlNode parent, YamlNode child) => (parent, child) switch
    {
        (YamlMappingNode p, YamlMappingNode c) => MergeMappings(source, p, c),
        (YamlSequenceNode p, YamlSequenceNode c) when key is YamlScalarNode { Value: "stages" } => MergeStages(source, p, c),
        _ => child,
    };

    static YamlSequenceNode MergeStages(YamlSource source, YamlSequenceNode parent, YamlSequenceNode child)
    {
        var stages = parent.Children.ToList();
        foreach (var stage in child.Children)
        {
            int index = StageId(stage) is { } id ? stages.FindIndex(s => StageId(s) == id) : -1;
            if (index >= 0 && stages[index] is YamlMappingNode parentStage && stage is YamlMappingNode childStage)
                stages[index] = MergeMappings(source, parentStage, childStage);
            else stages.Add(stage);
        }
        var merged = new YamlSequenceNode(stages);
        source.Adopt(merged, child);
        return merged;
    }

    static string? StageId(YamlNode stage) =>
        stage is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("id"), out var id) && id is YamlScalarNode s ? s.Value : null;
}
