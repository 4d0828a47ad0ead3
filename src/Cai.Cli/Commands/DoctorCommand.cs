using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using Cai.Cli.Doctor;
using Cai.Models;
using Spectre.Console;
using TorchSharp;

namespace Cai.Cli.Commands;

/// <summary>
/// `cai doctor`: which libtorch this process loaded and why, the PyTorch installations found, devices (GPU name and
/// memory), the native patch, and timed fp32 and bf16 matmuls on each device.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size") { Description = "Matrix size of the timed matmuls on the CPU.", DefaultValueFactory = _ => 1024 }
            .InRange(new RangeAttribute(1, 16384));
        var cudaSize = new Option<int>("--cuda-size") { Description = "Matrix size of the timed matmuls on a GPU.", DefaultValueFactory = _ => 4096 }
            .InRange(new RangeAttribute(1, 32768));
        var command = new Command("doctor",
            "Show .NET, TorchSharp and libtorch (folder, why, files loaded), PyTorch installations found, devices, the native patch, and timed fp32/bf16 matmuls.")
            { size, cudaSize };
        command.SetAction(parse => Run(parse.GetValue(size), parse.GetValue(cudaSize)));
        return command;
    }

    static int Run(int size, int cudaSize)
    {
        SystemReport report;
        try
        {
            report = SystemReport.Collect();
        }
        catch (LibTorchException e)
        {
            AnsiConsole.MarkupLine($"[red]error[/]: {Markup.Escape(e.Message)}");
            return 1;
        }
        var table = new RecordTable("check", "value");
        void Row(string check, string value) => table.Add(check, value);
        Row("cai", report.CaiVersion);
        Row(".NET", report.DotNet);
        Row("OS", report.Os);
        Row("TorchSharp", report.TorchSharpVersion);
        Row("libtorch", $"{report.LibTorchVersion} in {report.LibTorch.Folder}");
        Row("why that one", report.LibTorch.Why);
        // What is really mapped into the process (a second libtorch would show here), names relative to the folder.
        var loaded = report.LoadedLibraries.Select(f => Path.GetDirectoryName(f) == Path.TrimEndingDirectorySeparator(report.LibTorch.Folder) ? Path.GetFileName(f) : f);
        Row("loaded", string.Join(", ", loaded));
        foreach (var found in report.LibTorch.Found)
            Row("PyTorch found", $"{found.TorchFolder}: {found.Version}, CUDA {found.Cuda ?? "none"}: {(found.NotUsed is null ? "used" : "not used, " + found.NotUsed)}");
        if (report.LibTorch.Found.Count == 0)
            Row("PyTorch found", string.Equals(Environment.GetEnvironmentVariable(LibTorch.Variable), "none", StringComparison.OrdinalIgnoreCase)
                ? $"not searched ({LibTorch.Variable}=none)" : "none");
        Row("threads", report.Threads.ToString());
        Row("devices", report.CudaAvailable ? $"cpu, cuda ({report.Gpus.Count} device(s))" : "cpu (cuda: not available)");
        foreach (var gpu in report.Gpus) Row("GPU", gpu.ToString());
        foreach (var (file, state) in report.NativePatch)
            Row("native patch", $"{file}: {SystemReport.PatchedVersion} {Describe(state)}");
        if (report.NativePatch.Count == 0)
            Row("native patch", "libLibTorchSharp.so not found beside the tool");

        foreach (var dtype in new[] { torch.ScalarType.Float32, torch.ScalarType.BFloat16 })
            Matmul(MatmulProbe.Measure(torch.CPU, size, dtype: dtype));
        if (report.CudaAvailable)
            for (int i = 0; i < report.Gpus.Count; i++)
                foreach (var dtype in new[] { torch.ScalarType.Float32, torch.ScalarType.BFloat16 })
                    Matmul(MatmulProbe.Measure(torch.device(DeviceType.CUDA, i), cudaSize, iterations: 50, dtype: dtype));
        table.Write(AnsiConsole.Console);
        return 0;

        void Matmul(MatmulProbe.Result r) =>
            Row($"matmul ({r.Device})", $"{r.Size}x{r.Size} {(r.Dtype == torch.ScalarType.BFloat16 ? "bf16" : "fp32")} x{r.Iterations}: {r.Rate}");
    }

    static string Describe(ElfVersionNeeds.State state) => state switch
    {
        ElfVersionNeeds.State.Weak => "weak (patch applied)",
        ElfVersionNeeds.State.Required => "required (NOT patched)",
        _ => "not required (no patch needed)",
    };
}
