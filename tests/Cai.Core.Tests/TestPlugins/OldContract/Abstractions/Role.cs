namespace Cai.Abstractions.Text;

/// <summary>The 0.1.0 roles.</summary>
public enum Role
{
    /// <summary>The human.</summary>
    Human,
    /// <summary>The model.</summary>
    Assistant,
}
