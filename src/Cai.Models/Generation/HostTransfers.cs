using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Generation;

/// <summary>
/// The one way the decoding engine reads tensors back to the host, counting each read: on a GPU every read waits for
/// the queued work, so the count is the number of host synchronisations.
/// </summary>
public sealed class HostTransfers
{
    /// <summary>Reads so far.</summary>
    public long Count { get; private set; }

    /// <summary>Time spent in reads: the copies and, on a GPU, the wait for the work queued before them.</summary>
    public double Seconds { get; private set; }

    /// <summary>The values of <paramref name="source"/> (any shape, read as int64) on the host.</summary>
    public long[] Int64(Tensor source) => Read(source, ScalarType.Int64, t => t.data<long>().ToArray());

    /// <summary>The values of <paramref name="source"/> (any shape, read as float64) on the host.</summary>
    public double[] Float64(Tensor source) => Read(source, ScalarType.Float64, t => t.data<double>().ToArray());

    private T[] Read<T>(Tensor source, ScalarType dtype, Func<Tensor, T[]> values)
    {
        Count++;
        long start = Stopwatch.GetTimestamp();
        using var scope = NewDisposeScope();
        var result = values(OnHost(source, dtype));
        Seconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        return result;
    }

    private static Tensor OnHost(Tensor source, ScalarType dtype)
    {
        var t = source.dtype == dtype ? source : source.to(dtype);
        if (t.device_type != DeviceType.CPU) t = t.cpu();
        return t.is_contiguous() ? t : t.contiguous();
    }
}
