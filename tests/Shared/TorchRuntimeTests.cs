using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Tests.Shared;

/// <summary>Compiled into every test project: libtorch loads from this project's output and computes.</summary>
public class TorchRuntimeTests
{
    [Fact]
    public void MatmulRunsOnLibTorch()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        var c = matmul(a, b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }
}
