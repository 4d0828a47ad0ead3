namespace Cai.Sandbox.Prompts;

/// <summary>
/// One template family. Slots are written "{name}". Held-out families appear only in the eval prompt sets,
/// never in the corpus or the train prompt sets.
/// </summary>
/// <param name="Family">Family id, unique.</param>
/// <param name="Kind">Red-team or helpful.</param>
/// <param name="Category">Benign task kind id for helpful templates; null for red-team templates (any category).</param>
/// <param name="Text">The template text.</param>
/// <param name="HeldOut">True for eval-only families.</param>
/// <param name="Operation">For counting templates: "add" or "take".</param>
public sealed record PromptTemplate(string Family, PromptKind Kind, string? Category, string Text, bool HeldOut, string? Operation = null);
