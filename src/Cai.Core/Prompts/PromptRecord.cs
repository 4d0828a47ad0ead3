namespace Cai.Core.Prompts;

/// <summary>One prompt of a prompt set (a JSONL line).</summary>
/// <param name="Id">Unique within the set; becomes the item id of every row derived from it.</param>
/// <param name="Prompt">The human's request.</param>
/// <param name="Category">Harm category or task type, if given.</param>
/// <param name="Kind">"red_team" or "helpful" (or another label), if given.</param>
public sealed record PromptRecord(string Id, string Prompt, string? Category, string? Kind);
