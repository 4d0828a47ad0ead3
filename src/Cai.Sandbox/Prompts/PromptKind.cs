namespace Cai.Sandbox.Prompts;

/// <summary>Whether a prompt asks for a forbidden act or for a benign task.</summary>
public enum PromptKind
{
    RedTeam,
    Helpful,
}

public static class PromptKinds
{
    /// <summary>The "kind" written to prompt files.</summary>
    public static string Id(this PromptKind kind) => kind == PromptKind.RedTeam ? "red-team" : "helpful";

    public static PromptKind Parse(string id) => id switch
    {
        "red-team" => PromptKind.RedTeam,
        "helpful" => PromptKind.Helpful,
        _ => throw new ArgumentException($"Unknown prompt kind \"{id}\" (expected red-team or helpful).", nameof(id)),
    };
}
