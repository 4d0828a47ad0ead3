using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests.Objectives;

/// <summary>float32 comparisons against hand-computed values.</summary>
internal static class TensorAssert
{
    public const double Tolerance = 1e-5;

    public static void Close(double expected, Tensor actual) =>
        Assert.Equal(expected, actual.to_type(ScalarType.Float64).item<double>(), Tolerance);

    public static void Close(double[] expected, Tensor actual)
    {
        double[] values = actual.to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= Tolerance, $"At {i}: expected {expected[i]}, got {values[i]}.");
    }

    public static Tensor Rows(params float[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);
}
