using Cai.Plugins.Feedback.Judges;

namespace Cai.Plugins.Feedback.Tests.Judges;

public class ProbabilityRangeTests
{
    [Fact]
    public void ChainOfThoughtDefaultClampsToFortySixty()
    {
        var range = ProbabilityRange.ChainOfThought;
        Assert.Equal([0.6, 0.4, 0.55, 0.4, 0.6], range.Clamp([0.97, 0.02, 0.55, 0.4, 0.6]));
    }

    [Fact]
    public void CustomRangeClampsAndInvalidRangesAreRejected()
    {
        var range = new ProbabilityRange(0.2, 0.9);
        Assert.Equal(0.2, range.Clamp(0.1));
        Assert.Equal(0.9, range.Clamp(0.95));
        Assert.Equal(0.3, ProbabilityRange.Unit.Clamp(0.3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbabilityRange(0.6, 0.4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbabilityRange(-0.1, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbabilityRange(0.5, 1.1));
    }
}
