using Cai.Core.Recipes.Yaml;
using Cai.Abstractions.Input;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>One model of a role: a checkpoint directory, or the model of another role.</summary>
/// <param name="Path">Absolute checkpoint directory (Hugging Face layout), or null for a role reference.</param>
/// <param name="Role">The referenced role (e.g. "policy"), or null for a path.</param>
/// <param name="Location">Where it is written.</param>
/// <param name="ChatFormat">The built-in chat format the recipe chooses for it (<see cref="ModelPath.ChatFormat"/>), or null.</param>
public sealed record ModelRef(string? Path, string? Role, SourceLocation Location, string? ChatFormat = null);

/// <summary>
/// The model(s) of one role under <c>models</c>: a role name (<c>feedback: policy</c>), a mapping
/// (<c>{ path: ../models/x }</c>) or a sequence of these (an ensemble).
/// </summary>
public sealed record ModelSource(IReadOnlyList<ModelRef> Members)
{
    public static object? Bind(YamlBinder binder, YamlNode node) => node switch
    {
        YamlSequenceNode { Children.Count: 0 } empty => Empty(binder, empty),
        YamlSequenceNode sequence => new ModelSource(sequence.Children.Select(n => One(binder, n)).OfType<ModelRef>().ToList()),
        _ => One(binder, node) is { } single ? new ModelSource([single]) : null,
    };

    static object? Empty(YamlBinder binder, YamlNode node)
    {
        binder.Error(node, "expected at least one model in the list");
        return null;
    }

    static ModelRef? One(YamlBinder binder, YamlNode node)
    {
        var location = binder.Source.Locate(node);
        if (node is YamlScalarNode { Value: { Length: > 0 } role }) return new ModelRef(null, role, location);
        if (node is YamlMappingNode && binder.BindObject(typeof(ModelPath), node) is ModelPath { Path: { } path } model)
            return new ModelRef(path, null, location, model.ChatFormat);
        if (node is not YamlMappingNode)
            binder.Error(node, "expected a role name (e.g. policy), a mapping { path: ... } or a sequence of these");
        return null;
    }
}

/// <summary>A model checkpoint given by path.</summary>
public sealed record ModelPath
{
    /// <summary>Checkpoint directory in Hugging Face layout (config.json, model.safetensors, tokenizer.json), relative to the recipe file.</summary>
    [Cai.Abstractions.Plugins.RecipePath]
    public required string Path { get; init; }

    /// <summary>
    /// A built-in chat format to use instead of the checkpoint's own (its tokenizer_config.json chat_template, else
    /// cai_chat_format): chatml, llama-3, mistral, gemma, phi-3 or human-assistant (the CAI paper's "Human:/Assistant:"
    /// turns). Unset (the default) keeps the checkpoint's. A policy trained from it keeps the chosen format.
    /// </summary>
    [System.ComponentModel.DataAnnotations.AllowedValues(null, "chatml", "llama-3", "mistral", "gemma", "phi-3", "human-assistant")]
    public string? ChatFormat { get; init; }
}
