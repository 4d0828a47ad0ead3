namespace Cai.Models.Checkpoints;

/// <summary>A tensor whose shape in the checkpoint differs from the model's.</summary>
/// <param name="Name">Parameter name.</param>
/// <param name="Expected">The model's shape.</param>
/// <param name="Found">The checkpoint's shape.</param>
public sealed record ShapeMismatch(string Name, long[] Expected, long[] Found);

/// <summary>
/// A checkpoint that does not match its model: every missing, unexpected and mis-shaped tensor is named, in one
/// message, so one run shows everything that is wrong.
/// </summary>
public sealed class CheckpointMismatchException : Exception
{
    public CheckpointMismatchException(string checkpoint, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<ShapeMismatch> mismatched)
        : base(Describe(checkpoint, missing, unexpected, mismatched))
    {
        Checkpoint = checkpoint;
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    /// <summary>The checkpoint directory or file.</summary>
    public string Checkpoint { get; }

    /// <summary>Parameters of the model that the checkpoint lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Tensors of the checkpoint that the model does not have.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Tensors whose shapes differ.</summary>
    public IReadOnlyList<ShapeMismatch> Mismatched { get; }

    private static string Describe(string checkpoint, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<ShapeMismatch> mismatched)
    {
        var text = new System.Text.StringBuilder($"The checkpoint {checkpoint} does not match the model:");
        if (missing.Count > 0) text.Append($"\n  missing ({missing.Count}): ").AppendJoin(", ", missing);
        if (unexpected.Count > 0) text.Append($"\n  unexpected ({unexpected.Count}): ").AppendJoin(", ", unexpected);
        foreach (var m in mismatched)
            text.Append($"\n  wrong shape: {m.Name} is [{string.Join(", ", m.Found)}] in the checkpoint, the model expects [{string.Join(", ", m.Expected)}]");
        return text.ToString();
    }
}
