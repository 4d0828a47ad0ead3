using Cai.Abstractions.Input;
using System.Text.Json;
using Cai.Core.Pipeline;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Tests.Recipes;
using Cai.Tests.Shared;
using TorchSharp;

namespace Cai.Core.Tests.Pipeline;

public sealed class DeviceTests : IDisposable
{
    readonly RecipeFixture _fixture = new();
    readonly PluginHost _host = new();

    [Theory]
    [InlineData("auto", DeviceKind.Auto, null)]
    [InlineData("cpu", DeviceKind.Cpu, null)]
    [InlineData("cuda", DeviceKind.Cuda, null)]
    [InlineData("cuda:0", DeviceKind.Cuda, 0)]
    [InlineData("cuda:1", DeviceKind.Cuda, 1)]
    [InlineData("cuda:12", DeviceKind.Cuda, 12)]
    public void DevicesParseAndPrintAsWritten(string text, DeviceKind kind, int? index)
    {
        var device = Device.Parse(text);
        Assert.Equal(kind, device.Kind);
        Assert.Equal(index, device.Index);
        Assert.Equal(text, device.ToString());
        Assert.Equal($"\"{text}\"", JsonSerializer.Serialize(device));
        Assert.Equal(device, JsonSerializer.Deserialize<Device>($"\"{text}\""));
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("CUDA")]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:1:2")]
    [InlineData(" cpu")]
    [InlineData("cuda:123456")]
    [InlineData("")]
    public void AnythingElseIsNotADevice(string text)
    {
        Assert.False(Device.TryParse(text, out _));
        Assert.Equal($"'{text}' is not a device (auto, cpu, cuda, cuda:N)", Assert.Throws<FormatException>(() => Device.Parse(text)).Message);
    }

    [Fact]
    public void RecipeDeviceAndDtypeBindAndDefault()
    {
        var defaults = RecipeResolver.Resolve(_fixture.Recipe(), _host, RecipeFixture.Stages).Recipe;
        Assert.Equal(Device.Auto, defaults.Device);
        Assert.Equal(DType.Float32, defaults.Dtype);

        var recipe = RecipeResolver.Resolve(_fixture.Recipe(extra: "device: cuda:1\ndtype: bfloat16"), _host, RecipeFixture.Stages).Recipe;
        Assert.Equal(Device.CudaIndex(1), recipe.Device);
        Assert.Equal(DType.Bfloat16, recipe.Dtype);
        Assert.Equal(torch.ScalarType.BFloat16, recipe.Dtype.ScalarType());
        Assert.Equal(["float32", "bfloat16", "float16"], DTypes.Names);
    }

    [Fact]
    public void BadDeviceAndDtypeAreReportedWithFileLineAndColumn()
    {
        string path = _fixture.Recipe(extra: "device: tpu\ndtype: float64");
        var errors = Assert.Throws<InputException>(() => RecipeResolver.Resolve(path, _host, RecipeFixture.Stages)).Errors.Select(e => e.ToString()).ToList();
        int line = Array.IndexOf(File.ReadAllLines(path), "device: tpu") + 1;
        Assert.Contains($"{path}:{line}:9: 'tpu' is not a device (auto, cpu, cuda, cuda:N)", errors);
        Assert.Contains($"{path}:{line + 1}:8: expected one of float32, bfloat16, float16, got 'float64'", errors);

        string mapping = _fixture.Recipe(extra: "device: { kind: cuda }", name: "mapping.yaml");
        Assert.Contains(Assert.Throws<InputException>(() => RecipeResolver.Resolve(mapping, _host, RecipeFixture.Stages)).Errors,
            e => e.Location!.Line == line && e.Message == "expected a device (auto, cpu, cuda, cuda:N), got a mapping");
    }

    [Fact]
    public void SchemaDescribesDeviceAndDtype()
    {
        var properties = RecipeSchema.Generate([], RecipeFixture.Stages)["properties"]!;
        Assert.Equal("auto", (string)properties["device"]!["default"]!);
        Assert.Matches((string)properties["device"]!["pattern"]!, "cuda:3");
        Assert.DoesNotMatch((string)properties["device"]!["pattern"]!, "tpu");
        Assert.Equal("float32", (string)properties["dtype"]!["default"]!);
        Assert.Equal(["float32", "bfloat16", "float16"], properties["dtype"]!["enum"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void AutoAndCpuResolveOnEveryMachine()
    {
        Assert.Equal("cpu", Device.Cpu.Resolve());
        Assert.Equal(torch.cuda.is_available() ? "cuda" : "cpu", Device.Auto.Resolve());
        var factory = new ModelFactory(Device.Cpu, DType.Float16);
        Assert.Equal("cpu", factory.Device);
        Assert.Equal(DeviceType.CPU, factory.TorchDevice.type);
    }

    [Fact]
    public void CudaWithoutCudaIsAnErrorAtTheRecipesDeviceKey()
    {
        if (torch.cuda.is_available()) Assert.Skip("this machine has CUDA; the test needs one without");
        foreach (string device in new[] { "cuda", "cuda:1" })
        {
            string path = _fixture.Recipe(extra: $"device: {device}", name: $"{device.Replace(':', '-')}.yaml");
            var recipe = RecipeResolver.Resolve(path, _host, RecipeFixture.Stages).Recipe; // valid: the machine is checked when the run starts
            var error = Assert.Single(Assert.Throws<InputException>(() => ModelFactory.For(recipe)).Errors);
            Assert.Equal(recipe.Source.Of("device"), error.Location);
            Assert.StartsWith($"device '{device}' is not available: TorchSharp sees no CUDA device", error.Message);
        }
    }

    [Fact, Trait("Category", Requirements.Cuda)]
    public void CudaIndexPastTheLastDeviceIsAnError()
    {
        Requirements.RequireCuda();
        int count = torch.cuda.device_count();
        Assert.Equal($"cuda:{count - 1}", Device.CudaIndex(count - 1).Resolve());
        var e = Assert.Throws<DeviceUnavailableException>(() => Device.CudaIndex(count).Resolve());
        Assert.StartsWith($"device 'cuda:{count}' is not available: TorchSharp sees {count} CUDA device", e.Message);
        Assert.Equal("cuda", Device.Auto.Resolve());
    }

    public void Dispose()
    {
        _host.Dispose();
        _fixture.Dispose();
    }
}
