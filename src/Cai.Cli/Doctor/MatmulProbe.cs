using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Cli.Doctor;

/// <summary>A small timed matmul: the machine's practical FLOP/s for a dtype, the yardstick for model FLOPs utilisation.</summary>
public static class MatmulProbe
{
    public sealed record Result(int Size, int Iterations, double Seconds, double GFlops, string Device, ScalarType Dtype = ScalarType.Float32)
    {
        /// <summary>"12.3 GFLOP/s" on the CPU, "45.6 TFLOP/s" on a GPU.</summary>
        public string Rate => Device.StartsWith("cuda", StringComparison.Ordinal) ? $"{GFlops / 1000:F1} TFLOP/s" : $"{GFlops:F1} GFLOP/s";
    }

    public static Result Measure(Device device, int size = 1024, int iterations = 10, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        var a = randn(size, size, dtype: dtype, device: device);
        var b = randn(size, size, dtype: dtype, device: device);
        matmul(a, b).sum().to(float32).item<float>(); // warm-up
        var watch = Stopwatch.StartNew();
        Tensor? c = null;
        for (int i = 0; i < iterations; i++) c = matmul(a, b);
        c!.sum().to(float32).item<float>(); // forces completion on asynchronous devices
        watch.Stop();
        double flops = 2.0 * size * size * (double)size * iterations;
        return new Result(size, iterations, watch.Elapsed.TotalSeconds, flops / watch.Elapsed.TotalSeconds / 1e9, device.ToString(), dtype);
    }
}
