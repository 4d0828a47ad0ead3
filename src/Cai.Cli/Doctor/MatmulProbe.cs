using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Cli.Doctor;

/// <summary>A small timed fp32 matmul: the machine's practical GFLOP/s, the yardstick for model FLOPs utilisation.</summary>
public static class MatmulProbe
{
    public sealed record Result(int Size, int Iterations, double Seconds, double GFlops, string Device);

    public static Result Measure(Device device, int size = 1024, int iterations = 10)
    {
        using var scope = NewDisposeScope();
        var a = randn(size, size, device: device);
        var b = randn(size, size, device: device);
        matmul(a, b).sum().item<float>(); // warm-up
        var watch = Stopwatch.StartNew();
        Tensor? c = null;
        for (int i = 0; i < iterations; i++) c = matmul(a, b);
        c!.sum().item<float>(); // forces completion on asynchronous devices
        watch.Stop();
        double flops = 2.0 * size * size * (double)size * iterations;
        return new Result(size, iterations, watch.Elapsed.TotalSeconds, flops / watch.Elapsed.TotalSeconds / 1e9, device.ToString());
    }
}
