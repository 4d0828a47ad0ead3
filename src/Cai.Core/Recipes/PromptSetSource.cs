using Cai.Abstractions.Plugins;
using Cai.Abstractions.Prompts;
using Cai.Core.Recipes.Yaml;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>
/// A prompt set under <c>prompts:</c>: its file, written as a path (<c>red_team: prompts/red-team.train.jsonl</c>)
/// or as a mapping that also says what the set is for and which columns to read
/// (<c>mine: { path: mine.parquet, kind: helpful, fields: { prompt: question, id: qid } }</c>).
/// </summary>
public sealed record PromptSetSource
{
    /// <summary>The prompt file, relative to the recipe file: JSONL, or Parquet when it ends in .parquet; each record with a
    /// prompt, messages, transcript or chosen/rejected, and optionally id, category and kind
    /// (see <see cref="Prompts.PromptSet"/>).</summary>
    [RecipePath]
    public required string Path { get; init; }

    /// <summary>What the set is for: red-team (revised; sampled in pairs), helpful (its responses train as they are) or eval (held out,
    /// never trained on). Default: eval when the set's name starts with eval, helpful when it starts with helpful, otherwise
    /// red-team.</summary>
    public PromptSetKind? Kind { get; init; }

    /// <summary>Column names by field name (id, prompt, messages, transcript, chosen, rejected, category, kind) for a file whose
    /// columns are named otherwise, e.g. <c>{ prompt: question, id: qid }</c>. Default: none (the fields' own names).</summary>
    public Dictionary<string, string>? Fields { get; init; }

    /// <summary>The declared kind, or the one the set's name implies (<see cref="PromptSetKinds.FromName"/>).</summary>
    public PromptSetKind KindOf(string name) => Kind ?? PromptSetKinds.FromName(name);

    public static object? Bind(YamlBinder binder, YamlNode node) => node is YamlMappingNode
        ? binder.BindObject(typeof(PromptSetSource), node)
        : binder.Bind(typeof(string), node, isPath: true) is string path ? new PromptSetSource { Path = path } : null;
}
