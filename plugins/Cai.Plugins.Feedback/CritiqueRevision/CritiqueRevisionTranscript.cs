using Cai.Abstractions.Constitution;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.CritiqueRevision;

/// <summary>
/// Builds the model text of the paper's critique–revision dialogue: prompt, response, critique request,
/// "Critique: …", revision request, "Revision: …". Few-shot examples are rendered under the same principle.
/// </summary>
public static class CritiqueRevisionTranscript
{
    public const string CritiqueLabel = "Critique:";
    public const string RevisionLabel = "Revision:";

    /// <summary>Text that ends where the critic continues, after "Critique:" and an optional cue.</summary>
    public static string CritiquePrompt(ITextModel model, Conversation conversation, string response, Principle principle,
        string critiqueRequest, IReadOnlyList<FewShotExample> fewShot, string? cue = null)
    {
        var dialogue = conversation.Append(Role.Assistant, response).Append(Role.User, critiqueRequest);
        return Examples(model, fewShot, principle, withCritique: true)
            + model.FormatPrompt(dialogue) + " " + CritiqueLabel + (cue is null ? "" : " " + cue);
    }

    /// <summary>Text that ends where the reviser continues after "Revision:"; without a critique, the paper's ablation.</summary>
    public static string RevisionPrompt(ITextModel model, Conversation conversation, string response, Principle principle,
        string? critique, IReadOnlyList<FewShotExample> fewShot)
    {
        var dialogue = conversation.Append(Role.Assistant, response);
        if (critique is not null)
            dialogue = dialogue.Append(Role.User, principle.CritiqueRequest).Append(Role.Assistant, $"{CritiqueLabel} {critique.Trim()}");
        return Examples(model, fewShot, principle, withCritique: critique is not null)
            + model.FormatPrompt(dialogue.Append(Role.User, principle.RevisionRequest)) + " " + RevisionLabel;
    }

    static string Examples(ITextModel model, IReadOnlyList<FewShotExample> examples, Principle principle, bool withCritique) =>
        string.Concat(examples.Select(e =>
        {
            var dialogue = Conversation.FromPrompt(e.Prompt).Append(Role.Assistant, e.Response);
            if (withCritique)
                dialogue = dialogue.Append(Role.User, principle.CritiqueRequest).Append(Role.Assistant, $"{CritiqueLabel} {e.Critique}");
            dialogue = dialogue.Append(Role.User, principle.RevisionRequest);
            return model.FormatPrompt(dialogue) + $" {RevisionLabel} {e.Revision}";
        }));
}
