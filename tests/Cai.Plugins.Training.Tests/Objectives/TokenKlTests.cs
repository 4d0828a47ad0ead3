using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class TokenKlTests
{
    // Token 0: π = 0.5, π_ref = 0.25 → r = π_ref/π = 0.5. Token 1: π = 0.2, π_ref = 0.4 → r = 2.
    private static Tensor Policy() => tensor(new[] { MathF.Log(0.5f), MathF.Log(0.2f) }).unsqueeze(0);

    private static Tensor Reference() => tensor(new[] { MathF.Log(0.25f), MathF.Log(0.4f) }).unsqueeze(0);

    [Fact]
    public void K1IsTheLogRatio()
    {
        using var scope = NewDisposeScope();
        // log(0.5/0.25) = ln 2 = 0.6931471806; log(0.2/0.4) = −ln 2.
        TensorAssert.Close([0.6931471806, -0.6931471806], TokenKl.Estimate(Policy(), Reference(), KlEstimator.K1));
    }

    [Fact]
    public void K3IsNonNegative()
    {
        using var scope = NewDisposeScope();
        // r = 0.5: (0.5 − 1) − ln 0.5 = −0.5 + 0.6931471806 = 0.1931471806.
        // r = 2: (2 − 1) − ln 2 = 0.3068528194.
        TensorAssert.Close([0.1931471806, 0.3068528194], TokenKl.Estimate(Policy(), Reference(), KlEstimator.K3));
    }

    [Fact]
    public void K2IsHalfTheSquaredLogRatio()
    {
        using var scope = NewDisposeScope();
        // ½·(ln 2)² = 0.2402265070 for both tokens.
        TensorAssert.Close([0.2402265070, 0.2402265070], TokenKl.Estimate(Policy(), Reference(), KlEstimator.K2));
    }
}
