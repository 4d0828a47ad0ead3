namespace Cai.Abstractions.Constitution;

/// <summary>A worked critique–revision example shown before the conversation to keep small models in role.</summary>
/// <param name="Prompt">The human's request.</param>
/// <param name="Response">The assistant's first, flawed response.</param>
/// <param name="Critique">A critique of that response.</param>
/// <param name="Revision">The response rewritten to address the critique.</param>
public sealed record FewShotExample(string Prompt, string Response, string Critique, string Revision);
