using Cai.Plugins.Training.Objectives;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

public class TokenEntropyTests
{
    // [1, 3, 4]: uniform over 4; p = [0.5, 0.25, 0.25, 0] (one logit −inf); a padding position.
    private static Tensor Logits() => tensor(
        new[]
        {
            0f, 0f, 0f, 0f,
            MathF.Log(2f), 0f, 0f, float.NegativeInfinity,
            10f, 0f, 0f, 0f,
        },
        1, 3, 4);

    [Fact]
    public void EntropyPerPosition()
    {
        using var scope = NewDisposeScope();
        // Uniform: ln 4 = 1.3862943611. [0.5, 0.25, 0.25, 0]: 0.5·ln 2 + 2·0.25·ln 4 = 1.5·ln 2 = 1.0397207708.
        var entropy = TokenEntropy.FromLogits(Logits());
        double[] values = entropy.to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(1.3862943611, values[0], 1e-5);
        Assert.Equal(1.0397207708, values[1], 1e-5);
    }

    [Fact]
    public void MaskedMeanSkipsPadding()
    {
        using var scope = NewDisposeScope();
        // (1.3862943611 + 1.0397207708) / 2 = 1.2130075660.
        TensorAssert.Close(1.2130075660, TokenEntropy.MaskedMean(Logits(), TensorAssert.Rows([1, 1, 0])));
    }
}
