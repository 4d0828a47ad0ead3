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
