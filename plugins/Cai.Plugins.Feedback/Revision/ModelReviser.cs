using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Plugins.Feedback.Generation;
using Cai.Plugins.Feedback.Transcripts;
using RevisionResult = Cai.Abstractions.Feedback.Revision;

namespace Cai.Plugins.Feedback.Revision;

/// <summary>A reviser that asks a text model to rewrite the response under the principle's revision request.</summary>
public abstract class ModelReviser(PluginContext context, ReviserOptions options) : IReviser
{
    /// <summary>Whether the critique is shown to the model (false: the paper's direct-revision ablation).</summary>
    protected abstract bool UsesCritique { get; }

    public async Task<IReadOnlyList<RevisionResult>> ReviseAsync(IReadOnlyList<RevisionRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var model = context.GetModel(options.Model);
        var fewShot = context.Constitution.FewShot.Take(options.FewShotExamples).ToList();
        var prompts = batch.Select(r => CritiqueRevisionTranscript.RevisionPrompt(
            model, r.Conversation, r.Response, r.Principle, UsesCritique ? r.Critique ?? "" : null, fewShot)).ToList();
        var texts = await Continuations.SampleAsync(model, prompts, options, context.Provenance, [.. batch.Select(r => r.ItemId)], cancellationToken);
        return batch.Select((r, i) => new RevisionResult(r.ItemId, texts[i])).ToList();
    }
}
