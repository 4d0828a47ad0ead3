namespace Cai.Sandbox.Prompts;

/// <summary>
/// Greetings and sign-offs around a corpus prompt, so the model learns to find the task and its slots in text that
/// the template families never showed. Used in the pretraining corpus only; prompt files stay unframed.
/// </summary>
public static class PromptFrames
{
    public static IReadOnlyList<string> Openings { get; } =
        ["Hello!", "Hi.", "Excuse me.", "I have a question.", "Good morning.", "Can you help me?", "Hey there.", "Sorry to bother you."];

    public static IReadOnlyList<string> Closings { get; } =
        ["Thanks!", "Thank you.", "Please be brief.", "I am curious.", "It is urgent.", "Answer in one line."];

    /// <summary>The prompt with an opening, a closing or both; its slots and family are unchanged.</summary>
    public static WorldPrompt Frame(WorldPrompt prompt, Random rng)
    {
        int shape = rng.Next(3);
        string text = prompt.Text;
        if (shape != 1) text = $"{PromptGenerator.Pick(rng, Openings)} {text}";
        if (shape != 0) text = $"{text} {PromptGenerator.Pick(rng, Closings)}";
        return prompt with { Text = text };
    }

    /// <summary>The prompt without the opening and closing <see cref="Frame"/> may have added.</summary>
    public static string Unframe(string text)
    {
        foreach (string opening in Openings)
            if (text.StartsWith(opening + " ", StringComparison.Ordinal)) { text = text[(opening.Length + 1)..]; break; }
        foreach (string closing in Closings)
            if (text.EndsWith(" " + closing, StringComparison.Ordinal)) { text = text[..^(closing.Length + 1)]; break; }
        return text;
    }
}
