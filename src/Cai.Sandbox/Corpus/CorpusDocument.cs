namespace Cai.Sandbox.Corpus;

/// <summary>Document types of the corpus.</summary>
public enum CorpusDocumentType
{
    RedTeamConversation,
    HelpfulConversation,
    CritiqueRevision,
    Comparison,
}

/// <summary>One corpus document (without its end-of-text token) and what it contains.</summary>
/// <param name="Type">The document type.</param>
/// <param name="Detail">The response style of conversations, the critiqued style of critique–revisions, or the compared labels.</param>
/// <param name="Text">Chat text starting with "\n\nHuman: ".</param>
public sealed record CorpusDocument(CorpusDocumentType Type, string Detail, string Text)
{
    /// <summary>Ends the detail of a benign conversation whose prompt <see cref="Prompts.PromptNoise"/> changed.</summary>
    public const string NoisedMark = " noised";

    /// <summary>Whether the prompt was noised, so it need not parse as a world prompt.</summary>
    public bool HasNoisedPrompt => Detail.EndsWith(NoisedMark, StringComparison.Ordinal);
}
