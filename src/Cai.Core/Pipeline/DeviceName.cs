using Cai.Core.Recipes;
using TorchSharp;

namespace Cai.Core.Pipeline;

/// <summary>The recipe's device with auto resolved: cuda when TorchSharp sees a GPU, else cpu.</summary>
public static class DeviceName
{
    public static string Resolve(Device device) => device switch
    {
        Device.Cpu => "cpu",
        Device.Cuda => "cuda",
        _ => torch.cuda.is_available() ? "cuda" : "cpu",
    };
}
