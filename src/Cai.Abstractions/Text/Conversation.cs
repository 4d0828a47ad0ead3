namespace Cai.Abstractions.Text;

/// <summary>Who speaks a turn, in the paper's "Human:" / "Assistant:" format.</summary>
public enum Role
{
    /// <summary>The user (red-team or helpfulness prompt, or a critique/revision request).</summary>
    Human,
    /// <summary>The model.</summary>
    Assistant,
}

/// <summary>One turn of a conversation.</summary>
/// <param name="Role">Who speaks.</param>
/// <param name="Text">What is said.</param>
public sealed record Turn(Role Role, string Text);

/// <summary>An ordered list of turns. Rendering to model text is the job of the model's chat format.</summary>
/// <param name="Turns">The turns, oldest first.</param>
public sealed record Conversation(IReadOnlyList<Turn> Turns)
{
    /// <summary>A conversation of one human turn.</summary>
    /// <param name="prompt">The human's words.</param>
    public static Conversation FromPrompt(string prompt) => new([new Turn(Role.Human, prompt)]);

    /// <summary>This conversation with one more turn appended.</summary>
    /// <param name="role">Who speaks.</param>
    /// <param name="text">What is said.</param>
    public Conversation Append(Role role, string text) => new([.. Turns, new Turn(role, text)]);
}
