using System.Globalization;
using System.Runtime.InteropServices;

namespace Cai.Core.Pipeline;

/// <summary>
/// The peak memory of a stage, as its done marker and the report record it. <see cref="Measure"/> says what was
/// measured (TorchSharp 0.107 exposes no CUDA allocator statistics):
/// <list type="bullet">
/// <item><c>cuda-device-used</c>: the largest total − free of cudaMemGetInfo (from the CUDA runtime libtorch loaded)
/// seen on the stage's GPU, sampled every 250 ms and at the stage's end. It covers the whole device: libtorch's
/// cached blocks (kept from earlier stages too) and other processes count.</item>
/// <item><c>process-peak-rss</c>: the process's peak resident set (VmHWM of /proc/self/status), reset at the
/// stage's start; <c>process-peak-rss-since-start</c> where the reset was refused (the peak since the process
/// started). On CPU; on CUDA only where no CUDA runtime was found.</item>
/// </list>
/// </summary>
/// <param name="Bytes">The peak, in bytes.</param>
/// <param name="Measure">What <paramref name="Bytes"/> is (above).</param>
public sealed record PeakMemory(long Bytes, string Measure)
{
    public const string CudaDeviceUsed = "cuda-device-used";
    public const string ProcessPeakRss = "process-peak-rss";
    public const string ProcessPeakRssSinceStart = "process-peak-rss-since-start";

    /// <summary>Starts measuring on <paramref name="device"/> (cpu, cuda or cuda:N); <see cref="Watch.Stop"/> gives the peak.</summary>
    public static Watch Start(string device) => device.StartsWith("cuda", StringComparison.Ordinal) && CudaRuntime.Find() is { } cuda
        ? new CudaWatch(cuda, device == "cuda" ? 0 : int.Parse(device["cuda:".Length..], CultureInfo.InvariantCulture))
        : new ProcessWatch();

    public override string ToString() => $"{Bytes / (1024.0 * 1024 * 1024):0.00} GiB ({Measure})";

    /// <summary>A running measurement.</summary>
    public abstract class Watch : IDisposable
    {
        /// <summary>Ends the measurement; null when nothing could be read.</summary>
        public abstract PeakMemory? Stop();

        public virtual void Dispose() { }
    }

    sealed class ProcessWatch : Watch
    {
        readonly bool _reset = ResetPeak();

        public override PeakMemory? Stop() => ReadPeakResident() is long bytes
            ? new PeakMemory(bytes, _reset ? ProcessPeakRss : ProcessPeakRssSinceStart)
            : null;

        // Writing 5 to clear_refs resets VmHWM to the current resident set (Linux 4.0 and later).
        static bool ResetPeak()
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        static long? ReadPeakResident()
        {
            try
            {
                // "VmHWM:	  123456 kB"
                string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                return line?.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries) is [_, var kb, "kB"]
                    ? long.Parse(kb, CultureInfo.InvariantCulture) * 1024 : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    sealed class CudaWatch : Watch
    {
        readonly CudaRuntime _cuda;
        readonly int _device;
        readonly Thread _sampler;
        readonly ManualResetEventSlim _stop = new();
        long _peak = -1;

        public CudaWatch(CudaRuntime cuda, int device)
        {
            _cuda = cuda;
            _device = device;
            _sampler = new Thread(Sample) { IsBackground = true, Name = "cai peak device memory" };
            _sampler.Start();
        }

        void Sample()
        {
            // The current device is per thread: this one's is the stage's GPU, set once.
            if (!_cuda.SetDevice(_device)) return;
            while (true)
            {
                bool stopping = _stop.IsSet; // one more sample after Stop: the stage's end
                _peak = Math.Max(_peak, _cuda.Used() ?? -1);
                if (stopping) return;
                _stop.Wait(250);
            }
        }

        public override PeakMemory? Stop()
        {
            _stop.Set();
            _sampler.Join();
            return _peak >= 0 ? new PeakMemory(_peak, CudaDeviceUsed) : null;
        }

        public override void Dispose()
        {
            if (!_stop.IsSet) Stop();
            _stop.Dispose();
        }
    }

    /// <summary>cudaSetDevice and cudaMemGetInfo of the CUDA runtime already loaded into the process (by libtorch).</summary>
    sealed class CudaRuntime
    {
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        delegate int MemGetInfo(out nuint free, out nuint total);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        delegate int SetDeviceFunction(int device);

        static readonly Lazy<CudaRuntime?> _loaded = new(Load);

        readonly MemGetInfo _memGetInfo;
        readonly SetDeviceFunction _setDevice;

        CudaRuntime(MemGetInfo memGetInfo, SetDeviceFunction setDevice)
        {
            _memGetInfo = memGetInfo;
            _setDevice = setDevice;
        }

        public static CudaRuntime? Find() => _loaded.Value;

        public bool SetDevice(int device) => _setDevice(device) == 0;

        /// <summary>Bytes in use on the current device (total − free), or null if the call fails.</summary>
        public long? Used() => _memGetInfo(out nuint free, out nuint total) == 0 ? (long)(total - free) : null;

        // libcudart.so.12, libcudart.so.13 or a wheel's hashed libcudart-xxxxxxxx.so.12: whichever libtorch mapped.
        static CudaRuntime? Load()
        {
            try
            {
                string? path = File.ReadLines("/proc/self/maps")
                    .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
                    .Where(fields => fields.Length == 6)
                    .Select(fields => fields[5].Trim())
                    .FirstOrDefault(file => Path.GetFileName(file).StartsWith("libcudart", StringComparison.Ordinal));
                if (path is null || !NativeLibrary.TryLoad(path, out nint library)) return null;
                if (!NativeLibrary.TryGetExport(library, "cudaMemGetInfo", out nint memGetInfo)
                    || !NativeLibrary.TryGetExport(library, "cudaSetDevice", out nint setDevice))
                    return null;
                return new CudaRuntime(Marshal.GetDelegateForFunctionPointer<MemGetInfo>(memGetInfo),
                    Marshal.GetDelegateForFunctionPointer<SetDeviceFunction>(setDevice));
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
