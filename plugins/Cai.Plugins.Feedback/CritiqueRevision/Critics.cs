using Cai.Abstractions.Constitution;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.CritiqueRevision;

/// <summary>Options of the built-in critics.</summary>
public sealed record CriticOptions : ModelCallOptions;

/// <summary>A critic that asks a text model for the critique; subclasses shape the request.</summary>
public abstract class ModelCritic(PluginContext context, CriticOptions options) : ICritic
{
    /// <summary>The critique request shown to the model for this principle.</summary>
    protected virtual string Request(Principle principle) => principle.CritiqueRequest;

    /// <summary>Words placed after "Critique:" that the model continues from.</summary>
    protected virtual string? Cue => null;

    public async Task<IReadOnlyList<Critique>> CritiqueAsync(IReadOnlyList<CritiqueRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return [];
        var model = context.GetModel(options.Model);
        var fewShot = context.Constitution.FewShot.Take(options.FewShotExamples).ToList();
        var dialogues = batch.Select(r => CritiqueRevisionTranscript.CritiqueDialogue(
            r.Conversation, r.Response, r.Principle, Request(r.Principle), fewShot, Cue)).ToList();
        var texts = await Continuations.SampleAsync(
            model, dialogues, options, context.Provenance, [.. batch.Select(r => r.ItemId)], cancellationToken);
        return batch.Select((r, i) => new Critique(r.ItemId, Cue is null ? texts[i] : $"{Cue} {texts[i]}")).ToList();
    }
}

/// <summary>The principle's critique request as written.</summary>
[CaiPlugin("plain", Description = "Critique with the principle's own critique request.")]
public sealed class PlainCritic(PluginContext context, CriticOptions options) : ModelCritic(context, options);

/// <summary>Asks the critic to find any issue at all, however small.</summary>
[CaiPlugin("strict", Description = "Critique that looks for ANY issue with the response.")]
public sealed class StrictCritic(PluginContext context, CriticOptions options) : ModelCritic(context, options)
{
    protected override string Request(Principle principle) =>
        $"Find ANY issue with the last response, however small. {principle.CritiqueRequest}";
}

/// <summary>Asks the critic to reason over helpfulness, honesty and harmlessness before naming the problem.</summary>
[CaiPlugin("chain-of-thought", Description = "Step-by-step critique: is it helpful? honest? harmless?")]
public sealed class ChainOfThoughtCritic(PluginContext context, CriticOptions options) : ModelCritic(context, options)
{
    protected override string Request(Principle principle) =>
        $"{principle.CritiqueRequest} Go step by step: is the response helpful, is it honest, is it harmless?";

    protected override string? Cue => "Step by step:";
}
