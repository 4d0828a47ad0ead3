using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class ApproximateKlTests
{
    [Fact]
    public void IsHalfTheMeanSquaredLogRatioOverResponseTokens()
    {
        using var scope = NewDisposeScope();
        // log π − log π_old = [0.2, −0.4, (masked) 1]: ½·(0.04 + 0.16) / 2 = 0.05.
        var logprobs = TensorAssert.Rows([-1.0f, -2.4f, 0f]);
        var oldLogprobs = TensorAssert.Rows([-1.2f, -2.0f, -1f]);
        TensorAssert.Close(0.05, ApproximateKl.Compute(logprobs, oldLogprobs, TensorAssert.Rows([1, 1, 0])));
    }
}
