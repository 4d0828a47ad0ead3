using Cai.Abstractions.Constitution;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.CritiqueRevision;

/// <summary>
/// The paper's critique–revision dialogue as a conversation: prompt, response, critique request, "Critique: …",
/// revision request, "Revision: …", after few-shot examples rendered under the same principle. It ends with the
/// assistant turn the critic or reviser continues ("Critique:" or "Revision:"), which the model's chat format leaves
/// open (<see cref="ITextModel.ChatAsync"/>): in the Human/Assistant format, the examples' and the dialogue's prompts
/// one after another, then " Critique:" or " Revision:".
/// </summary>
public static class CritiqueRevisionTranscript
{
    public const string CritiqueLabel = "Critique:";
    public const string RevisionLabel = "Revision:";

    /// <summary>The dialogue that ends where the critic continues, after "Critique:" and an optional cue.</summary>
    public static Conversation CritiqueDialogue(Conversation conversation, string response, Principle principle,
        string critiqueRequest, IReadOnlyList<FewShotExample> fewShot, string? cue = null)
    {
        var dialogue = conversation.Append(Role.Assistant, response).Append(Role.User, critiqueRequest)
            .Append(Role.Assistant, CritiqueLabel + (cue is null ? "" : " " + cue));
        return WithExamples(Examples(fewShot, principle, withCritique: true), dialogue);
    }

    /// <summary>The dialogue that ends where the reviser continues after "Revision:"; without a critique, the paper's ablation.</summary>
    public static Conversation RevisionDialogue(Conversation conversation, string response, Principle principle,
        string? critique, IReadOnlyList<FewShotExample> fewShot)
    {
        var dialogue = conversation.Append(Role.Assistant, response);
        if (critique is not null)
            dialogue = dialogue.Append(Role.User, principle.CritiqueRequest).Append(Role.Assistant, $"{CritiqueLabel} {critique.Trim()}");
        dialogue = dialogue.Append(Role.User, principle.RevisionRequest).Append(Role.Assistant, RevisionLabel);
        return WithExamples(Examples(fewShot, principle, withCritique: critique is not null), dialogue);
    }

    /// <summary>The examples' turns before the dialogue's; a system turn stays first.</summary>
    static Conversation WithExamples(IReadOnlyList<Turn> examples, Conversation dialogue) =>
        dialogue.Turns[0].Role == Role.System
            ? new([dialogue.Turns[0], .. examples, .. dialogue.Turns.Skip(1)])
            : new([.. examples, .. dialogue.Turns]);

    static List<Turn> Examples(IReadOnlyList<FewShotExample> examples, Principle principle, bool withCritique) =>
        [.. examples.SelectMany(e =>
        {
            var dialogue = Conversation.FromPrompt(e.Prompt).Append(Role.Assistant, e.Response);
            if (withCritique)
                dialogue = dialogue.Append(Role.User, principle.CritiqueRequest).Append(Role.Assistant, $"{CritiqueLabel} {e.Critique}");
            return dialogue.Append(Role.User, principle.RevisionRequest).Append(Role.Assistant, $"{RevisionLabel} {e.Revision}").Turns;
        })];
}
