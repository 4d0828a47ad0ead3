using System.Reflection;
using System.Runtime.InteropServices;
using Cai.Models;
using TorchSharp;

namespace Cai.Cli.Doctor;

/// <summary>
/// What `cai doctor` reports: runtime versions, threads, which libtorch was loaded (folder, reason, the libraries mapped
/// into the process) and the PyTorch installations found, devices, and the state of the native patch.
/// </summary>
public sealed record SystemReport(
    string CaiVersion,
    string DotNet,
    string Os,
    string TorchSharpVersion,
    LibTorchChoice LibTorch,
    IReadOnlyList<string> LoadedLibraries,
    int Threads,
    bool CudaAvailable,
    IReadOnlyList<CudaDevices.Info> Gpus,
    IReadOnlyList<(string File, ElfVersionNeeds.State State)> NativePatch)
{
    public const string PatchedVersion = "GLIBCXX_3.4.32";

    public static SystemReport Collect()
    {
        var libTorch = Models.LibTorch.Load();
        bool cuda = torch.cuda.is_available();
        return new SystemReport(
            CaiVersion: ReadCaiVersion(),
            DotNet: RuntimeInformation.FrameworkDescription,
            Os: $"{RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})",
            TorchSharpVersion: typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            LibTorch: libTorch,
            LoadedLibraries: Models.LibTorch.MappedLibraries(), // after CUDA initialised: its libraries are mapped too
            Threads: torch.get_num_threads(),
            CudaAvailable: cuda,
            Gpus: cuda ? CudaDevices.Describe(torch.cuda.device_count()) : [],
            NativePatch: InspectNativeLibraries());
    }

    /// <summary>The libtorch version: the loaded folder's where known, else the one TorchSharp was built against.</summary>
    public string LibTorchVersion => LibTorch.Version ?? $"{torch.__version__} (TorchSharp's build; the folder has no version file)";

    public static string ReadCaiVersion() =>
        typeof(SystemReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    static List<(string, ElfVersionNeeds.State)> InspectNativeLibraries() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(AppContext.BaseDirectory, f), ElfVersionNeeds.Inspect(f, PatchedVersion)))
            .ToList();
}
