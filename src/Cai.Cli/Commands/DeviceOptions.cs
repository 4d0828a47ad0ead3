using Cai.Abstractions.Input;
using System.CommandLine;
using Cai.Core.Pipeline;
using Cai.Core.Recipes;

namespace Cai.Cli.Commands;

/// <summary>--device and --dtype of `cai generate` and `cai eval`: the values, default and errors of a recipe's device: and dtype:.</summary>
public static class DeviceOptions
{
    public static Option<string> Device() => new("--device")
    {
        Description = "auto (cuda when TorchSharp sees a GPU, else cpu), cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto",
    };

    public static Option<string> DType() => new("--dtype")
    {
        Description = $"Parameter type of the model: {string.Join(", ", DTypes.Names)}.", DefaultValueFactory = _ => DTypes.Names[0],
    };

    /// <summary>
    /// The model factory on the device and dtype given; throws <see cref="InputException"/> naming the option for a
    /// value that is not a device or dtype, or a device this machine lacks.
    /// </summary>
    public static ModelFactory Factory(string device, string dtype)
    {
        if (!Core.Recipes.Device.TryParse(device, out var parsed)) throw InputException.ForOption("--device", Core.Recipes.Device.NotADevice(device));
        DType type;
        try { type = DTypes.Parse(dtype); }
        catch (FormatException e) { throw InputException.ForOption("--dtype", e.Message); }
        try { return new ModelFactory(parsed, type); }
        catch (DeviceUnavailableException e) { throw InputException.ForOption("--device", e.Message); }
    }
}
