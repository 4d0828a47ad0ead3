using Cai.Abstractions.Constitution;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Plugins.Feedback.Generation;
using Cai.Plugins.Feedback.Transcripts;
using CritiqueResult = Cai.Abstractions.Feedback.Critique;

namespace Cai.Plugins.Feedback.Critique;

/// <summary>A critic that asks a text model for the critique; subclasses shape the request.</summary>
public abstract class ModelCritic(PluginContext context, CriticOptions options) : ICritic
{
    /// <summary>The critique request shown to the model for this principle.</summary>
    protected virtual string Request(Principle principle) => principle.CritiqueRequest;

    /// <summary>Words placed after "Critique:" that the model continues from.</summary>
    protected virtual string? Cue => null;

    public async Task<IReadOnlyList<CritiqueResult>> CritiqueAsync(IReadOnlyList<CritiqueRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var model = context.GetModel(options.Model);
        var fewShot = context.Constitution.FewShot.Take(options.FewShotExamples).ToList();
        var prompts = batch.Select(r =>
            CritiqueRevisionTranscript.CritiquePrompt(model, r.Conversation, r.Response, r.Principle, Request(r.Principle), fewShot, Cue)).ToList();
        var texts = await Continuations.SampleAsync(model, prompts, options, context.Provenance, [.. batch.Select(r => r.ItemId)], cancellationToken);
        return batch.Select((r, i) => new CritiqueResult(r.ItemId, Cue is null ? texts[i] : $"{Cue} {texts[i]}")).ToList();
    }
}
