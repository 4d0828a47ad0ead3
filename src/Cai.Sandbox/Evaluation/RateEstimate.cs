namespace Cai.Sandbox.Evaluation;

/// <summary>A proportion k/n with its 95% Wilson score interval.</summary>
public sealed record RateEstimate(int Count, int Total, double Rate, double Low, double High)
{
    const double Z95 = 1.959963984540054;

    public static RateEstimate Of(int count, int total)
    {
        if (total < 0 || count < 0 || count > total) throw new ArgumentOutOfRangeException(nameof(count), $"{count}/{total} is not a proportion.");
        if (total == 0) return new(0, 0, double.NaN, 0, 1);
        double p = (double)count / total, z2 = Z95 * Z95;
        double denominator = 1 + z2 / total;
        double centre = (p + z2 / (2 * total)) / denominator;
        double half = Z95 * Math.Sqrt(p * (1 - p) / total + z2 / (4.0 * total * total)) / denominator;
        return new(count, total, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    public override string ToString() => $"{Rate:P1} [{Low:P1}, {High:P1}] ({Count}/{Total})";
}
