using Cai.Models;

namespace Cai.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            LibTorch.Load(); // before anything touches TorchSharp: it may choose an installed PyTorch's CUDA libtorch
        }
        catch (LibTorchException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ErrorReport.FailedRun;
        }
        return CaiCommandLine.Run(args, Console.Out, Console.Error);
    }
}
