using Cai.Abstractions.Constitution;
using Cai.Abstractions.Text;

namespace Cai.Abstractions.Feedback;

/// <summary>Asks a reviser to rewrite a response under one principle, given the critique when there is one.</summary>
/// <param name="ItemId">The item's id, echoed in the revision.</param>
/// <param name="Conversation">The conversation the response answers (ends with the human's turn).</param>
/// <param name="Response">The response to rewrite.</param>
/// <param name="Principle">The principle sampled for this item and round.</param>
/// <param name="Critique">The critique of this round, or null for direct revision (the paper's ablation).</param>
public sealed record RevisionRequest(string ItemId, Conversation Conversation, string Response, Principle Principle, string? Critique);

/// <summary>A reviser's answer to one <see cref="RevisionRequest"/>.</summary>
/// <param name="ItemId">The request's item id.</param>
/// <param name="Text">The revised response.</param>
public sealed record Revision(string ItemId, string Text);

/// <summary>
/// The id of one critique–revision round of an item, "{item}#r{round}": the item id of that round's critique and
/// revision requests and of its row in sft.jsonl.
/// </summary>
public static class RevisionId
{
    /// <summary>What separates the item id from the round.</summary>
    public const string Separator = "#r";

    /// <summary>The id of round <paramref name="round"/> (1 is the first revision) of <paramref name="itemId"/>.</summary>
    /// <param name="itemId">The item's id (the critique-revise row's id).</param>
    /// <param name="round">The round, from 1.</param>
    public static string Of(string itemId, int round) => $"{itemId}{Separator}{round}";

    /// <summary>The item id of a revision id: the text before the first <see cref="Separator"/> (all of it when there is none).</summary>
    /// <param name="id">A revision id.</param>
    public static string ItemOf(string id) => id.IndexOf(Separator, StringComparison.Ordinal) is int at and >= 0 ? id[..at] : id;
}
