namespace Cai.Models.Training;

/// <summary>One supervised example: the loss is taken on the completion tokens only.</summary>
/// <param name="PromptIds">The rendered conversation up to the assistant cue.</param>
/// <param name="CompletionIds">The response (usually ending with eos).</param>
public sealed record TokenizedExample(IReadOnlyList<int> PromptIds, IReadOnlyList<int> CompletionIds)
{
    public int Length => PromptIds.Count + CompletionIds.Count;
}
