using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Cai.Core.Recipes.Yaml;

/// <summary>Summaries from the XML documentation file beside an assembly: the option records' one source of descriptions.</summary>
public static partial class XmlDocs
{
    static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<string, string>> _cache = new();
    static readonly ConcurrentDictionary<Assembly, string> _paths = new();

    /// <summary>Where an assembly loaded from memory (a plugin, which has no Location) was read from.</summary>
    public static void Locate(Assembly assembly, string path) => _paths[assembly] = path;

    public static string? Of(PropertyInfo property) =>
        Summaries(property.DeclaringType!.Assembly).GetValueOrDefault($"P:{Name(property.DeclaringType!)}.{property.Name}");

    public static string? Of(Type type) => Summaries(type.Assembly).GetValueOrDefault($"T:{Name(type)}");

    static string Name(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    static IReadOnlyDictionary<string, string> Summaries(Assembly assembly) => _cache.GetOrAdd(assembly, a =>
    {
        string location = _paths.GetValueOrDefault(a) ?? a.Location;
        string xml = Path.ChangeExtension(location, ".xml");
        if (string.IsNullOrEmpty(location) || !File.Exists(xml)) return new Dictionary<string, string>();
        return XDocument.Load(xml).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .GroupBy(m => (string)m.Attribute("name")!)
            .ToDictionary(g => g.Key, g => Clean(g.First().Element("summary")!));
    });

    static string Clean(XElement summary)
    {
        foreach (var see in summary.Descendants().Where(e => e.Name == "see" || e.Name == "paramref" || e.Name == "typeparamref").ToList())
            see.ReplaceWith(((string?)see.Attribute("cref") ?? (string?)see.Attribute("name") ?? (string?)see.Attribute("langword") ?? "").Split('.', ':').Last());
        return Whitespace().Replace(string.Concat(summary.Nodes().Select(n => n is XElement e ? e.Value : n.ToString())), " ").Trim()
            .Replace("&lt;", "<").Replace("&gt;", ">").Replace("&amp;", "&");
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
