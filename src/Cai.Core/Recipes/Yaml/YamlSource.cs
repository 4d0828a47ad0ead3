using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes.Yaml;

/// <summary>
/// YAML nodes with the file each came from. Nodes keep their origin when merged across files (extends:), so
/// relative paths resolve against the file that wrote them and errors point into the right file.
/// </summary>
public sealed class YamlSource
{
    readonly Dictionary<YamlNode, SourceLocation> origins = new(ReferenceEqualityComparer.Instance);

    /// <summary>Parses a single-document YAML file whose root is a mapping.</summary>
    public YamlMappingNode Load(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new RecipeException(new RecipeError(null, $"file not found: {path}"));
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(fullPath);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new RecipeException(new RecipeError(new SourceLocation(path, (int)e.Start.Line, (int)e.Start.Column),
                $"invalid YAML: {e.InnerException?.Message ?? e.Message}"));
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new RecipeException(new RecipeError(new SourceLocation(path, 1, 1), "expected one YAML document whose root is a mapping"));
        foreach (var node in root.AllNodes) origins[node] = new SourceLocation(path, (int)node.Start.Line, (int)node.Start.Column);
        return root;
    }

    /// <summary>Records that <paramref name="created"/> (built while merging) stands where <paramref name="original"/> was.</summary>
    public void Adopt(YamlNode created, YamlNode original) => origins[created] = Locate(original);

    /// <summary>Places a node built in code (e.g. an absent with:) at a location.</summary>
    public void Place(YamlNode created, SourceLocation location) => origins[created] = location;

    /// <summary>The file a node came from, as the user named it.</summary>
    public string FileOf(YamlNode node) => Locate(node).File;

    /// <summary>The node's position.</summary>
    public SourceLocation Locate(YamlNode node) =>
        origins.TryGetValue(node, out var location) ? location : new SourceLocation("<unknown>", 0, 0);

    /// <summary>Resolves a path written in a node against the directory of that node's file.</summary>
    public string ResolvePath(YamlNode node, string path) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(FileOf(node)))!, path));
}
