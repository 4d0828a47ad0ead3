namespace Cai.Plugins.Feedback.Judging;

/// <summary>A closed range that soft labels are clamped to, e.g. [0.4, 0.6] for chain-of-thought judges.</summary>
public readonly record struct ProbabilityRange
{
    /// <summary>The chain-of-thought default: reasoning makes answers near-certain, which would teach extreme preferences.</summary>
    public static ProbabilityRange ChainOfThought { get; } = new(0.4, 0.6);

    /// <summary>No clamping.</summary>
    public static ProbabilityRange Unit { get; } = new(0.0, 1.0);

    public ProbabilityRange(double min, double max)
    {
        if (!(min >= 0.0 && min <= max && max <= 1.0))
            throw new ArgumentOutOfRangeException(nameof(min), $"Need 0 <= min <= max <= 1, got [{min}, {max}].");
        Min = min;
        Max = max;
    }

    public double Min { get; }

    public double Max { get; }

    public double Clamp(double probability) => Math.Clamp(probability, Min, Max);

    public double[] Clamp(ReadOnlySpan<double> probabilities)
    {
        var result = new double[probabilities.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = Clamp(probabilities[i]);
        return result;
    }
}
