using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;
using Cai.Core.Plugins;
using Cai.Core.Prompts;
using Cai.Core.Pipeline;
using Cai.Core.Stages;

namespace Cai.Core.Recipes;

/// <summary>A validated recipe: files read, plugins found, options bound. What the pipeline runner consumes.</summary>
/// <param name="Recipe">The recipe as written (paths absolute, extends: merged).</param>
/// <param name="Constitution">The constitution.</param>
/// <param name="Prompts">Prompt sets by name.</param>
/// <param name="Models">Models by role (one, or several for an ensemble), references resolved: checkpoint directories, or the
/// <see cref="RemoteModel.Id"/> of a served model.</param>
/// <param name="Stages">The stages in order.</param>
/// <param name="RemoteModels">The served models among <paramref name="Models"/>, by id.</param>
public sealed record ResolvedRecipe(
    Recipe Recipe, ConstitutionDocument Constitution, IReadOnlyDictionary<string, PromptSet> Prompts,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Models, IReadOnlyList<ResolvedStage> Stages,
    IReadOnlyDictionary<string, RemoteModel>? RemoteModels = null)
{
    /// <summary>The chat format the recipe chooses for a checkpoint (<see cref="ModelPath.ChatFormat"/>), by its full path.</summary>
    public IReadOnlyDictionary<string, string> ChatFormats { get; init; } = new Dictionary<string, string>();

    /// <summary>The chosen chat format of a checkpoint, or null to keep its own.</summary>
    public string? ChatFormatOf(string checkpoint) => ChatFormats.GetValueOrDefault(Path.GetFullPath(checkpoint));

    /// <summary>The served models among <see cref="Models"/>, by id (none when the recipe names only checkpoints).</summary>
    public IReadOnlyDictionary<string, RemoteModel> Remote => RemoteModels ?? new Dictionary<string, RemoteModel>();
}

/// <summary>A validated stage.</summary>
/// <param name="Spec">As written.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Options">Its options (a <see cref="GenerateOptions"/>, <see cref="CritiqueReviseOptions"/>, ...).</param>
/// <param name="Plugins">The plugins it uses, by kind.</param>
public sealed record ResolvedStage(StageSpec Spec, StageKind Kind, StageOptions Options, IReadOnlyDictionary<PluginKind, PluginBinding> Plugins)
{
    public string Id => Spec.Id;

    /// <summary>The plugin of <paramref name="kind"/>; the recipe was validated to name one.</summary>
    public PluginBinding Plugin(PluginKind kind) => Plugins[kind];
}

/// <summary>A plugin named by a stage, with the stage's with: bound to its options.</summary>
/// <param name="Name">The plugin's name.</param>
/// <param name="Descriptor">The plugin as found at validation time.</param>
/// <param name="BindOptions">Binds the plugin's share of with: to an options type; pass to <see cref="PluginActivation"/>.</param>
public sealed record PluginBinding(string Name, PluginDescriptor Descriptor, Func<Type, PluginOptions> BindOptions);
