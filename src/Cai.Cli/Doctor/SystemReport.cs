using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Cai.Cli.Doctor;

/// <summary>What `cai doctor` reports: runtime versions, threads, devices and the state of the native patch.</summary>
public sealed record SystemReport(
    string CaiVersion,
    string DotNet,
    string Os,
    string TorchSharpVersion,
    string LibTorchVersion,
    int Threads,
    bool CudaAvailable,
    int CudaDevices,
    IReadOnlyList<(string File, ElfVersionNeeds.State State)> NativePatch)
{
    public const string PatchedVersion = "GLIBCXX_3.4.32";

    public static SystemReport Collect()
    {
        bool cuda = torch.cuda.is_available();
        return new SystemReport(
            CaiVersion: ReadCaiVersion(),
            DotNet: RuntimeInformation.FrameworkDescription,
            Os: $"{RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})",
            TorchSharpVersion: typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            LibTorchVersion: torch.__version__,
            Threads: torch.get_num_threads(),
            CudaAvailable: cuda,
            CudaDevices: cuda ? torch.cuda.device_count() : 0,
            NativePatch: InspectNativeLibraries());
    }

    public static string ReadCaiVersion() =>
        typeof(SystemReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    static List<(string, ElfVersionNeeds.State)> InspectNativeLibraries() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(AppContext.BaseDirectory, f), ElfVersionNeeds.Inspect(f, PatchedVersion)))
            .ToList();
}
