using Cai.Abstractions.Text;

namespace OldContract;

/// <summary>Uses the 0.1.0 contract, so the assembly references it.</summary>
public static class OldPlugin
{
    /// <summary>The role this old plugin speaks as.</summary>
    public static Role Speaker => Role.Human;
}
