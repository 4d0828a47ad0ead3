namespace Cai.Plugins.Training.Objectives;

/// <summary>A constant kl_coef.</summary>
public sealed class FixedKlController(double klCoef) : IKlController
{
    public double KlCoef { get; } = klCoef >= 0.0
        ? klCoef
        : throw new ArgumentOutOfRangeException(nameof(klCoef), klCoef, "kl_coef must be non-negative.");

    public void Update(double currentKl, long steps)
    {
    }
}
