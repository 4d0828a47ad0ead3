using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.CritiqueRevision;

/// <summary>Options of the built-in revisers. A revision is a whole response: max_new_tokens defaults to 96.</summary>
public sealed record ReviserOptions : ModelCallOptions
{
    public ReviserOptions() => MaxNewTokens = 96;
}

/// <summary>A reviser that asks a text model to rewrite the response under the principle's revision request.</summary>
public abstract class ModelReviser(PluginContext context, ReviserOptions options) : IReviser
{
    /// <summary>Whether the critique is shown to the model (false: the paper's direct-revision ablation).</summary>
    protected abstract bool UsesCritique { get; }

    public async Task<IReadOnlyList<Revision>> ReviseAsync(IReadOnlyList<RevisionRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var model = context.GetModel(options.Model);
        var fewShot = context.Constitution.FewShot.Take(options.FewShotExamples).ToList();
        var dialogues = batch.Select(r => CritiqueRevisionTranscript.RevisionDialogue(
            r.Conversation, r.Response, r.Principle, UsesCritique ? r.Critique ?? "" : null, fewShot)).ToList();
        var texts = await Continuations.SampleAsync(
            model, dialogues, options, context.Provenance, [.. batch.Select(r => r.ItemId)], cancellationToken);
        return batch.Select((r, i) => new Revision(r.ItemId, texts[i])).ToList();
    }
}

/// <summary>Rewrites the response in light of the critique.</summary>
[CaiPlugin("default", Description = "Revision given the critique, as in the paper.")]
public sealed class DefaultReviser(PluginContext context, ReviserOptions options) : ModelReviser(context, options)
{
    protected override bool UsesCritique => true;
}

/// <summary>Rewrites the response without a critique: the paper's ablation.</summary>
[CaiPlugin("direct", Description = "Revision without critique (ablation).")]
public sealed class DirectReviser(PluginContext context, ReviserOptions options) : ModelReviser(context, options)
{
    protected override bool UsesCritique => false;
}
