using Cai.Abstractions.Input;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes.Yaml;

/// <summary>
/// YAML nodes with the file each came from. Nodes keep their origin when merged across files (extends:), so
/// relative paths resolve against the file that wrote them and errors point into the right file.
/// </summary>
public sealed class YamlSource
{
    readonly Dictionary<YamlNode, SourceLocation> _origins = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Parses a single-document YAML file whose root is a mapping, within <see cref="YamlLimits"/>: a regular file,
    /// strict UTF-8, bounded size, depth and alias expansion.
    /// </summary>
    public YamlMappingNode Load(string path)
    {
        string text = InputFile.ReadAllText(path, YamlLimits.MaxFileBytes);
        YamlLimits.Check(text, path);
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw YamlLimits.SyntaxError(text, path, e); }
        if (stream.Documents.Count == 0)
            throw new InputException(new SourceLocation(path, 1, 1), "the file is empty: expected a YAML mapping");
        if (stream.Documents.Count > 1)
            throw new InputException(Position(path, stream.Documents[1].RootNode), "expected one YAML document, found another here");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InputException(Position(path, stream.Documents[0].RootNode),
                "expected a mapping (key: value lines) at the top of the file");
        // Each node once (an alias is the anchored node itself): AllNodes would walk every alias again.
        var pending = new Stack<YamlNode>([root]);
        while (pending.TryPop(out var node))
        {
            if (!_origins.TryAdd(node, Position(path, node))) continue;
            var children = node switch
            {
                YamlMappingNode m => m.Children.SelectMany(c => new[] { c.Key, c.Value }),
                YamlSequenceNode q => q.Children,
                _ => [],
            };
            foreach (var child in children) pending.Push(child);
        }
        return root;
    }

    static SourceLocation Position(string path, YamlNode node) => new(path, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>Records that <paramref name="created"/> (built while merging) stands where <paramref name="original"/> was.</summary>
    public void Adopt(YamlNode created, YamlNode original) => _origins[created] = Locate(original);

    /// <summary>Places a node built in code (e.g. an absent with:) at a location.</summary>
    public void Place(YamlNode created, SourceLocation location) => _origins[created] = location;

    /// <summary>The file a node came from, as the user named it.</summary>
    public string FileOf(YamlNode node) => Locate(node).File;

    /// <summary>The node's position.</summary>
    public SourceLocation Locate(YamlNode node) =>
        _origins.TryGetValue(node, out var location) ? location : new SourceLocation("<unknown>", 0, 0);

    /// <summary>Resolves a path written in a node against the directory of that node's file.</summary>
    public string ResolvePath(YamlNode node, string path) =>
        path.Contains('\0') ? throw new InputException(Locate(node), "a path must not contain NUL characters")
                            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(FileOf(node)))!, path));
}
