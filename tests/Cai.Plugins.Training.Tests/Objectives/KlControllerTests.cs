using Cai.Plugins.Training.Objectives;

namespace Cai.Plugins.Training.Tests.Objectives;

public class KlControllerTests
{
    [Fact]
    public void AdaptiveControllerMovesTowardTheTargetWithClippedError()
    {
        var controller = new AdaptiveKlController(initialKlCoef: 0.2, target: 6.0, horizon: 10000);
        // KL 9: error 9/6 − 1 = 0.5, clipped to 0.2; ×(1 + 0.2·256/10000) = ×1.00512 → 0.201024.
        controller.Update(currentKl: 9.0, steps: 256);
        Assert.Equal(0.201024, controller.KlCoef, 1e-12);
        // KL 5.4: error 5.4/6 − 1 = −0.1; ×(1 − 0.1·0.0256) = ×0.99744 → 0.20050937856.
        controller.Update(currentKl: 5.4, steps: 256);
        Assert.Equal(0.20050937856, controller.KlCoef, 1e-12);
    }

    [Fact]
    public void FixedControllerNeverChanges()
    {
        IKlController controller = new FixedKlController(0.05);
        controller.Update(currentKl: 100.0, steps: 256);
        Assert.Equal(0.05, controller.KlCoef);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedKlController(-1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveKlController(0.1, 0.0, 10));
    }
}
