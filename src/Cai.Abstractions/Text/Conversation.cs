namespace Cai.Abstractions.Text;

/// <summary>Who speaks a turn (the roles of Hugging Face chat templates and OpenAI chat messages).</summary>
public enum Role
{
    /// <summary>The user: the paper's "Human" (red-team or helpfulness prompt, or a critique/revision request).</summary>
    User,
    /// <summary>The model.</summary>
    Assistant,
    /// <summary>Instructions before the dialogue; at most one, first. Formats without a system slot put it before the
    /// first user turn. Last in the enumeration so plugins built when it had only User (then Human) and Assistant keep
    /// their values.</summary>
    System,
}

/// <summary>One turn of a conversation.</summary>
/// <param name="Role">Who speaks.</param>
/// <param name="Text">What is said.</param>
public sealed record Turn(Role Role, string Text);

/// <summary>
/// An ordered list of turns. Rendering to model text is the job of the model's chat format
/// (<see cref="ITextModel.FormatPrompt"/>): a conversation ending in a user turn is followed by the cue of the
/// assistant's reply; one ending in an assistant turn is left open, so the model continues that turn (prefill).
/// </summary>
/// <param name="Turns">The turns, oldest first.</param>
public sealed record Conversation(IReadOnlyList<Turn> Turns)
{
    /// <summary>A conversation of one user turn.</summary>
    /// <param name="prompt">The user's words.</param>
    public static Conversation FromPrompt(string prompt) => new([new Turn(Role.User, prompt)]);

    /// <summary>This conversation with one more turn appended.</summary>
    /// <param name="role">Who speaks.</param>
    /// <param name="text">What is said.</param>
    public Conversation Append(Role role, string text) => new([.. Turns, new Turn(role, text)]);
}
