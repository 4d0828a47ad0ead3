using System.Runtime.InteropServices;
using Cai.Models;

namespace Cai.Cli.Doctor;

/// <summary>
/// Name and memory of each CUDA device. TorchSharp 0.107 exposes neither, so they come from the CUDA driver (libcuda.so.1:
/// cuDeviceGetName, cuDeviceTotalMem_v2) and the CUDA runtime libtorch loaded (cudaMemGetInfo), called only after
/// TorchSharp has initialised CUDA; any failure becomes the reason in place of the figure.
/// </summary>
public static class CudaDevices
{
    // Problem: why a figure is missing (0 or null), when one is.
    public sealed record Info(int Index, string Name, long TotalBytes, long? FreeBytes, string? Problem)
    {
        public override string ToString() =>
            $"cuda:{Index}: {Name}, {Gib(TotalBytes)} GiB, {(FreeBytes is long free ? Gib(free) : "?")} GiB free" + (Problem is null ? "" : $" ({Problem})");

        static string Gib(long bytes) => (bytes / (double)(1L << 30)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int CuInit(uint flags);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int CuDeviceGet(out int device, int ordinal);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int CuDeviceGetName(byte[] name, int length, int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int CuDeviceTotalMem(out nuint bytes, int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int CudaGetDevice(out int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int CudaSetDevice(int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int CudaMemGetInfo(out nuint free, out nuint total);

    public static IReadOnlyList<Info> Describe(int count)
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var driver))
            return Enumerable.Range(0, count).Select(i => new Info(i, "?", 0, null, "libcuda.so.1 does not load")).ToList();
        try
        {
            Export<CuInit>(driver, "cuInit")(0);
            var get = Export<CuDeviceGet>(driver, "cuDeviceGet");
            var getName = Export<CuDeviceGetName>(driver, "cuDeviceGetName");
            var totalMem = Export<CuDeviceTotalMem>(driver, "cuDeviceTotalMem_v2");
            var (freeOf, freeProblem) = FreeMemory();
            var result = new List<Info>();
            for (int i = 0; i < count; i++)
            {
                if (get(out int device, i) != 0) { result.Add(new Info(i, "?", 0, null, "cuDeviceGet failed")); continue; }
                var name = new byte[256];
                int nameStatus = getName(name, name.Length, device);
                int memStatus = totalMem(out nuint total, device);
                string text = nameStatus == 0 ? System.Text.Encoding.ASCII.GetString(name).TrimEnd('\0') : $"(cuDeviceGetName: error {nameStatus})";
                long? free = freeOf?.Invoke(i);
                string? problem = memStatus != 0 ? $"cuDeviceTotalMem_v2: error {memStatus}" : free is null ? freeProblem ?? "cudaMemGetInfo failed" : null;
                result.Add(new Info(i, text, memStatus == 0 ? (long)total : 0, free, problem));
            }
            return result;
        }
        catch (EntryPointNotFoundException e)
        {
            return Enumerable.Range(0, count).Select(i => new Info(i, "?", 0, null, e.Message)).ToList();
        }
    }

    // Free memory of device i through the CUDA runtime that libtorch loaded (the current device is restored).
    static (Func<int, long?>? FreeOf, string? Problem) FreeMemory()
    {
        string? cudart = LibTorch.MappedLibraries().FirstOrDefault(f => Path.GetFileName(f).StartsWith("libcudart.so", StringComparison.Ordinal));
        if (cudart is null || !NativeLibrary.TryLoad(cudart, out var runtime)) return (null, "no CUDA runtime (libcudart) is loaded");
        if (!NativeLibrary.TryGetExport(runtime, "cudaMemGetInfo", out var memInfo) || !NativeLibrary.TryGetExport(runtime, "cudaGetDevice", out var getDevice)
            || !NativeLibrary.TryGetExport(runtime, "cudaSetDevice", out var setDevice))
            return (null, $"{Path.GetFileName(cudart)} lacks cudaMemGetInfo/cudaGetDevice/cudaSetDevice");
        var info = Marshal.GetDelegateForFunctionPointer<CudaMemGetInfo>(memInfo);
        var current = Marshal.GetDelegateForFunctionPointer<CudaGetDevice>(getDevice);
        var select = Marshal.GetDelegateForFunctionPointer<CudaSetDevice>(setDevice);
        return (i =>
        {
            if (current(out int previous) != 0 || select(i) != 0) return null;
            try { return info(out nuint free, out _) == 0 ? (long)free : null; }
            finally { select(previous); }
        }, null);
    }

    static T Export<T>(nint library, string name) where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, name));
}
