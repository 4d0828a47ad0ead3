using System.Text;
using Cai.Abstractions.Text;

namespace Cai.Sandbox.Documents;

/// <summary>The corpus's chat text: the CAI paper's "\n\nHuman: …" / "\n\nAssistant: …" turns.</summary>
public static class ChatTranscript
{
    public const string EndOfText = "<|endoftext|>";
    public const string HumanCue = "\n\nHuman: ";
    public const string AssistantCue = "\n\nAssistant: ";
    public const string CritiqueLabel = "Critique:";
    public const string RevisionLabel = "Revision:";

    public static string Render(params (Role Role, string Text)[] turns)
    {
        var text = new StringBuilder();
        foreach (var (role, said) in turns) text.Append(role == Role.User ? HumanCue : AssistantCue).Append(said);
        return text.ToString();
    }
}
