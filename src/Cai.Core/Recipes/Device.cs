namespace Cai.Core.Recipes;

/// <summary>Where tensors live.</summary>
public enum Device
{
    /// <summary>CUDA when available, otherwise CPU.</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>The first CUDA device.</summary>
    Cuda,
}
