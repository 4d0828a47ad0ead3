namespace Cai.Abstractions.Constitution;

/// <summary>A constitution: the principles that critics, revisers and judges apply, with few-shot examples.</summary>
/// <param name="Name">Identifies the constitution in run records.</param>
/// <param name="Principles">The principles; stages sample one uniformly per item and round.</param>
/// <param name="FewShot">Critique–revision examples shown before the conversation.</param>
public sealed record ConstitutionDocument(string Name, IReadOnlyList<Principle> Principles, IReadOnlyList<FewShotExample> FewShot)
{
    /// <summary>The principle with this id.</summary>
    /// <param name="id">A principle id.</param>
    /// <exception cref="KeyNotFoundException">No principle has that id.</exception>
    public Principle GetPrinciple(string id) =>
        Principles.FirstOrDefault(p => p.Id == id)
        ?? throw new KeyNotFoundException($"constitution '{Name}' has no principle '{id}'");
}
