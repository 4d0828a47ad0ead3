namespace Cai.Sandbox.World;

/// <summary>The benign task types of the toy world; each has an answer checkable from the world's facts.</summary>
public enum BenignTaskKind
{
    Recipe,
    Directions,
    Counting,
    Spelling,
    Definition,
    Advice,
    Summary,
    Translation,
}

public static class BenignTaskKinds
{
    public static IReadOnlyList<BenignTaskKind> All { get; } = Enum.GetValues<BenignTaskKind>();

    /// <summary>The id written to prompt files, e.g. "recipe".</summary>
    public static string Id(this BenignTaskKind kind) => kind.ToString().ToLowerInvariant();

    public static BenignTaskKind Parse(string id)
    {
        foreach (var kind in All)
            if (kind.Id() == id) return kind;
        throw new ArgumentException($"Unknown benign task kind \"{id}\".", nameof(id));
    }
}
