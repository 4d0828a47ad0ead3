using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using Cai.Cli.Doctor;
using Spectre.Console;
using TorchSharp;

namespace Cai.Cli.Commands;

/// <summary>`cai doctor`: checks that TorchSharp loads here and measures a matmul.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size") { Description = "Matrix size of the timed matmul.", DefaultValueFactory = _ => 1024 }
            .InRange(new RangeAttribute(1, 16384));
        var command = new Command("doctor", "Show .NET, TorchSharp and libtorch versions, devices, the native patch, and a timed matmul.") { size };
        command.SetAction(parse => Run(parse.GetValue(size)));
        return command;
    }

    static int Run(int size)
    {
        var report = SystemReport.Collect();
        var table = new Table().AddColumn("check").AddColumn("value");
        table.AddRow("cai", report.CaiVersion);
        table.AddRow(".NET", report.DotNet);
        table.AddRow("OS", report.Os);
        table.AddRow("TorchSharp", report.TorchSharpVersion);
        table.AddRow("libtorch", report.LibTorchVersion);
        table.AddRow("threads", report.Threads.ToString());
        table.AddRow("devices", report.CudaAvailable ? $"cpu, cuda ({report.CudaDevices} device(s))" : "cpu (cuda: not available)");
        foreach (var (file, state) in report.NativePatch)
            table.AddRow("native patch", Markup.Escape($"{file}: {SystemReport.PatchedVersion} {Describe(state)}"));
        if (report.NativePatch.Count == 0)
            table.AddRow("native patch", "libLibTorchSharp.so not found beside the tool");

        var cpu = MatmulProbe.Measure(torch.CPU, size);
        table.AddRow("matmul (cpu)", $"{cpu.Size}x{cpu.Size} fp32 x{cpu.Iterations}: {cpu.GFlops:F1} GFLOP/s");
        if (report.CudaAvailable)
        {
            var gpu = MatmulProbe.Measure(torch.CUDA, size);
            table.AddRow("matmul (cuda)", $"{gpu.Size}x{gpu.Size} fp32 x{gpu.Iterations}: {gpu.GFlops:F1} GFLOP/s");
        }
        AnsiConsole.Write(table);
        return 0;
    }

    static string Describe(ElfVersionNeeds.State state) => state switch
    {
        ElfVersionNeeds.State.Weak => "weak (patch applied)",
        ElfVersionNeeds.State.Required => "required (NOT patched)",
        _ => "not required (no patch needed)",
    };
}
