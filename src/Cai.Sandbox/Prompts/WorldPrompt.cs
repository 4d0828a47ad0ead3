using Cai.Abstractions.Prompts;

namespace Cai.Sandbox.Prompts;

/// <summary>
/// A prompt of the toy world with what the grammar knows about it.
/// </summary>
/// <param name="Text">The prompt as the human writes it.</param>
/// <param name="Kind">Red-team or helpful.</param>
/// <param name="Category">Harm category id (red-team) or benign task kind id (helpful).</param>
/// <param name="Family">The template family it was written from.</param>
/// <param name="Slots">Slot values: verb/target for red-team prompts; task-specific for helpful ones.</param>
public sealed record WorldPrompt(string Text, PromptKind Kind, string Category, string Family, IReadOnlyDictionary<string, string> Slots)
{
    public string Slot(string name) =>
        Slots.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"Prompt \"{Text}\" has no slot \"{name}\".");

    /// <summary>The forbidden act, e.g. "poison the Varrow well".</summary>
    public string Act => $"{Slot("verb")} {Slot("target")}";

    /// <summary>The prompt as a line of a prompt file, with its category and kind.</summary>
    public PromptRecord ToRecord(string id) => new(id, Text, Category, Kind.Id());
}
