using Cai.Plugins.Feedback.Judges;

namespace Cai.Plugins.Feedback.Tests.Judges;

public class ChoiceProbabilityTests
{
    [Fact]
    public void NormalisesLogProbabilitiesOverTheTwoOptions()
    {
        // P(" (A)") = 0.3, P(" (B)") = 0.1 (the rest of the vocabulary holds 0.6): 0.3 / (0.3 + 0.1) = 0.75.
        Assert.Equal(0.75, ChoiceProbability.OfA(Math.Log(0.3), Math.Log(0.1)), 1e-12);
    }

    [Fact]
    public void LogitsGiveTheSoftmaxOfTheTwo()
    {
        // softmax([2, 0])[0] = e² / (e² + 1) = 1 / (1 + e⁻²) = 0.8807970779778823.
        Assert.Equal(0.8807970779778823, ChoiceProbability.OfA(2.0, 0.0), 1e-12);
        // Shifting both logits by a constant changes nothing.
        Assert.Equal(0.8807970779778823, ChoiceProbability.OfA(-48.0, -50.0), 1e-12);
        Assert.Equal(0.5, ChoiceProbability.OfA(-3.0, -3.0));
    }

    [Fact]
    public void IsStableForExtremeScores()
    {
        // exp(-10000) underflows, but the ratio is defined: P(B)/P(A) = 3, so P(A) = 1/4.
        Assert.Equal(0.25, ChoiceProbability.OfA(-10000.0, -10000.0 + Math.Log(3.0)), 1e-12);
        Assert.Equal(1.0, ChoiceProbability.OfA(1000.0, 0.0));
        Assert.Equal(0.0, ChoiceProbability.OfA(-1000.0, 0.0));
        Assert.Equal(0.0, ChoiceProbability.OfA(double.NegativeInfinity, -1.0));
    }

    [Fact]
    public void RejectsScoresWithoutAPreference()
    {
        Assert.Throws<ArgumentException>(() => ChoiceProbability.OfA(double.NegativeInfinity, double.NegativeInfinity));
        Assert.Throws<ArgumentException>(() => ChoiceProbability.OfA(double.NaN, 0.0));
    }

    [Fact]
    public void BatchMatchesItemsAndChecksLengths()
    {
        // ln 0.3 vs ln 0.1 → 0.75; ln 0.2 vs ln 0.6 → 0.2 / 0.8 = 0.25.
        double[] labels = ChoiceProbability.OfA([Math.Log(0.3), Math.Log(0.2)], [Math.Log(0.1), Math.Log(0.6)]);
        Assert.Equal(0.75, labels[0], 1e-12);
        Assert.Equal(0.25, labels[1], 1e-12);
        Assert.Throws<ArgumentException>(() => ChoiceProbability.OfA([0.0, 1.0], [0.0]));
    }
}
