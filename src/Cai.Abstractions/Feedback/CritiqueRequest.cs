using Cai.Abstractions.Constitution;
using Cai.Abstractions.Text;

namespace Cai.Abstractions.Feedback;

/// <summary>Asks a critic to critique a response under one principle.</summary>
/// <param name="ItemId">The item's id, echoed in the critique.</param>
/// <param name="Conversation">The conversation the response answers (ends with the human's turn).</param>
/// <param name="Response">The latest response: the initial answer or the previous round's revision.</param>
/// <param name="Principle">The principle sampled for this item and round.</param>
public sealed record CritiqueRequest(string ItemId, Conversation Conversation, string Response, Principle Principle);

/// <summary>A critic's answer to one <see cref="CritiqueRequest"/>.</summary>
/// <param name="ItemId">The request's item id.</param>
/// <param name="Text">The critique.</param>
public sealed record Critique(string ItemId, string Text);
