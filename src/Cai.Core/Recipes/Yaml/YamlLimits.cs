using Cai.Abstractions.Input;
using YamlDotNet.Core.Events;
using YamlDotNet.Core;

namespace Cai.Core.Recipes.Yaml;

/// <summary>
/// Limits that make YAML from strangers safe to read: file size, nesting depth and size after alias expansion
/// (YamlDotNet builds and walks nodes recursively, and each alias stands for its whole anchored node, so a few hundred
/// bytes of aliases can stand for billions of nodes). Checked on the parser's event stream, before any node is built.
/// </summary>
public static class YamlLimits
{
    /// <summary>Largest recipe or constitution file.</summary>
    public const long MaxFileBytes = 4 << 20;

    /// <summary>Deepest nesting of mappings and sequences, aliases expanded.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes (scalars, mappings, sequences), aliases expanded.</summary>
    public const int MaxNodes = 200_000;

    sealed class Frame(string? anchor)
    {
        public string? Anchor { get; } = anchor;
        public long Nodes { get; set; } = 1;
        public int Depth { get; set; } = 1;
    }

    /// <summary>Throws <see cref="InputException"/> at the first event past a limit, or at the first YAML syntax error.</summary>
    public static void Check(string text, string path)
    {
        CheckFlowDepth(text, path);
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, (long Nodes, int Depth)>(StringComparer.Ordinal);
        var open = new Stack<Frame>();
        long total = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case SequenceStart or MappingStart:
                        var start = (NodeEvent)parser.Current!;
                        if (open.Count + 1 > MaxDepth) throw Error(path, start.Start, $"nested deeper than {MaxDepth} levels");
                        open.Push(new Frame(start.Anchor.IsEmpty ? null : start.Anchor.Value));
                        Count(ref total, 1, start.Start, path);
                        break;
                    case SequenceEnd or MappingEnd:
                        var done = open.Pop();
                        if (done.Anchor is { } name) anchors[name] = (done.Nodes, done.Depth);
                        Add(open, done.Nodes, done.Depth);
                        break;
                    case Scalar scalar:
                        if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = (1, 1);
                        Count(ref total, 1, scalar.Start, path);
                        Add(open, 1, 1);
                        break;
                    case AnchorAlias alias:
                        string anchor = alias.Value.Value;
                        if (open.Any(f => f.Anchor == anchor))
                            throw Error(path, alias.Start, $"alias *{anchor} refers to a node that contains it");
                        if (!anchors.TryGetValue(anchor, out var target))
                            throw Error(path, alias.Start, $"alias *{anchor} refers to no earlier anchor &{anchor}");
                        if (open.Count + target.Depth > MaxDepth)
                            throw Error(path, alias.Start, $"alias *{anchor} nests the document deeper than {MaxDepth} levels");
                        Count(ref total, target.Nodes, alias.Start, path);
                        Add(open, target.Nodes, target.Depth);
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw SyntaxError(text, path, e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // YamlDotNet's own failure on malformed input: still bad input, at the last place it reached.
            var at = parser.Current?.Start ?? Mark.Empty;
            throw new InputException(new SourceLocation(path, Math.Max(1, (int)at.Line), Math.Max(1, (int)at.Column)),
                $"invalid YAML near here (the YAML reader failed: {e.Message})");
        }
    }

    /// <summary>
    /// Flow collections ([ and {) nested past <see cref="MaxDepth"/>, found in the text itself: YamlDotNet's scanner reads
    /// ahead of the events and fails on deep flow nesting before the event check could stop it. Quoted text and comments
    /// are skipped; a bracket inside a plain scalar counts too (harmless: such a recipe is refused either way).
    /// </summary>
    static void CheckFlowDepth(string text, string path)
    {
        int depth = 0, line = 1, column = 0;
        char quote = '\0';
        bool comment = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            column++;
            if (c == '\n')
            {
                (line, column, comment) = (line + 1, 0, false);
                continue;
            }
            if (comment) continue;
            if (quote != '\0')
            {
                if (quote == '"' && c == '\\') { i++; column++; }
                else if (c == quote) quote = '\0';
                continue;
            }
            switch (c)
            {
                case '"' or '\'' when i == 0 || char.IsWhiteSpace(text[i - 1]) || text[i - 1] is '[' or '{' or ',' or ':':
                    quote = c;
                    break;
                case '#' when i == 0 || char.IsWhiteSpace(text[i - 1]):
                    comment = true;
                    break;
                case '[' or '{':
                    if (++depth > MaxDepth)
                        throw new InputException(new SourceLocation(path, line, column), $"nested deeper than {MaxDepth} levels");
                    break;
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }
    }

    static void Count(ref long total, long nodes, Mark at, string path)
    {
        total += nodes;
        if (total > MaxNodes) throw Error(path, at, $"has more than {MaxNodes} nodes with its aliases expanded");
    }

    static void Add(Stack<Frame> open, long nodes, int depth)
    {
        if (!open.TryPeek(out var parent)) return;
        parent.Nodes += nodes;
        parent.Depth = Math.Max(parent.Depth, depth + 1);
    }

    /// <summary>A YamlDotNet error as an input error at the place it names: a scanner's end mark (where it stopped), or for
    /// tab indentation (which YamlDotNet may place at 1:1) the first line at or after it indented with a tab.</summary>
    public static InputException SyntaxError(string text, string path, YamlException e)
    {
        var at = e is SyntaxErrorException ? e.End : e.Start;
        int line = (int)at.Line, column = (int)at.Column;
        if (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text, (int)e.Start.Line) is { } tab)
            (line, column) = tab;
        return new InputException(new SourceLocation(path, Math.Max(1, line), Math.Max(1, column)), $"invalid YAML: {Clean(e.Message)}");
    }

    static (int Line, int Column)? FirstTabIndent(string text, int fromLine)
    {
        int number = 0;
        foreach (string line in text.Split('\n'))
        {
            if (++number < fromLine) continue;
            int indent = line.Length - line.TrimStart(' ', '\t').Length;
            int tab = line.IndexOf('\t', 0, indent);
            if (tab >= 0) return (number, tab + 1);
        }
        return null;
    }

    static string Clean(string message) => message.Replace("violate", "violates").TrimEnd('.');

    static InputException Error(string path, Mark at, string message) =>
        new(new SourceLocation(path, (int)at.Line, (int)at.Column), message);
}
