using Cai.Plugins.Feedback.Judging;

namespace Cai.Plugins.Feedback.Tests.Judging;

public class BothOrdersTests
{
    [Fact]
    public void AveragesTheOriginalOrderWithTheComplementOfTheSwappedOrder()
    {
        // A/B order: P("(A)") = 0.8 is P(A). B/A order: P("(A)") = 0.3 is P(B), so P(A) = 0.7. Mean (0.8 + 0.7) / 2 = 0.75.
        Assert.Equal(0.75, BothOrders.Average(0.8, 0.3), 1e-12);
    }

    [Fact]
    public void CancelsAPurePositionBias()
    {
        // A judge that always gives the first-shown option 0.7 has no preference: (0.7 + (1 − 0.7)) / 2 = 0.5.
        Assert.Equal(0.5, BothOrders.Average(0.7, 0.7), 1e-12);
    }

    [Fact]
    public void BatchAveragesItemwise()
    {
        // (0.9 + 0.9) / 2 = 0.9; (0.4 + 0.2) / 2 = 0.3.
        double[] labels = BothOrders.Average([0.9, 0.4], [0.1, 0.8]);
        Assert.Equal(0.9, labels[0], 1e-12);
        Assert.Equal(0.3, labels[1], 1e-12);
        Assert.Throws<ArgumentException>(() => BothOrders.Average([0.9], [0.1, 0.8]));
    }
}
