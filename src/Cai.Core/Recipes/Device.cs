using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cai.Core.Recipes.Yaml;
using TorchSharp;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>
/// Where tensors live, as a recipe's <c>device:</c> or a command's <c>--device</c> writes it: <c>auto</c> (CUDA when
/// TorchSharp sees a GPU, else the CPU), <c>cpu</c>, <c>cuda</c> (the first GPU) or <c>cuda:N</c>. The default is auto.
/// </summary>
[JsonConverter(typeof(JsonConverter))]
public readonly record struct Device
{
    public const string Expected = "auto, cpu, cuda, cuda:N";

    public static readonly Device Auto = new(DeviceKind.Auto, null);
    public static readonly Device Cpu = new(DeviceKind.Cpu, null);
    public static readonly Device Cuda = new(DeviceKind.Cuda, null);

    Device(DeviceKind kind, int? index)
    {
        Kind = kind;
        Index = index;
    }

    public DeviceKind Kind { get; }

    /// <summary>N of cuda:N; null for auto, cpu and cuda.</summary>
    public int? Index { get; }

    public static Device CudaIndex(int index) => index >= 0 ? new(DeviceKind.Cuda, index) : throw new ArgumentOutOfRangeException(nameof(index));

    public static bool TryParse(string? text, out Device device)
    {
        (bool parsed, device) = text switch
        {
            "auto" => (true, Auto),
            "cpu" => (true, Cpu),
            "cuda" => (true, Cuda),
            ['c', 'u', 'd', 'a', ':', .. var n] when n.Length is > 0 and <= 5 && n.All(char.IsAsciiDigit) =>
                (true, CudaIndex(int.Parse(n, CultureInfo.InvariantCulture))),
            _ => (false, default(Device)),
        };
        return parsed;
    }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> "'tpu' is not a device (auto, cpu, cuda, cuda:N)".</summary>
    public static Device Parse(string text) =>
        TryParse(text, out var device) ? device : throw new FormatException(NotADevice(text));

    public static string NotADevice(string? text) => $"'{text}' is not a device ({Expected})";

    /// <summary>
    /// The device to run on, as TorchSharp names it (cpu, cuda or cuda:N): auto becomes cuda when TorchSharp sees a
    /// GPU, else cpu. Throws <see cref="DeviceUnavailableException"/> for cuda without a CUDA device, or cuda:N past
    /// the last one.
    /// </summary>
    public string Resolve()
    {
        if (Kind == DeviceKind.Cpu) return "cpu";
        bool available = torch.cuda.is_available();
        if (Kind == DeviceKind.Auto) return available ? "cuda" : "cpu";
        if (!available)
            throw new DeviceUnavailableException($"device '{this}' is not available: TorchSharp sees no CUDA device "
                + "(a CPU build of libtorch, or no GPU driver: `cai doctor` shows which); use cpu, or auto to fall back to the CPU");
        int count = torch.cuda.device_count();
        if (Index is int index && index >= count)
            throw new DeviceUnavailableException($"device '{this}' is not available: TorchSharp sees {count} CUDA device{(count == 1 ? "" : "s")} (cuda:0{(count > 1 ? $" to cuda:{count - 1}" : "")})");
        return ToString();
    }

    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.Cuda => Index is int index ? $"cuda:{index}" : "cuda",
        _ => "auto",
    };

    /// <summary>Binds a recipe's <c>device:</c> scalar, reporting anything else at its file:line:column.</summary>
    public static object? Bind(YamlBinder binder, YamlNode node)
    {
        if (node is YamlScalarNode scalar && TryParse(scalar.Value, out var device)) return device;
        binder.Error(node, node is YamlScalarNode other ? NotADevice(other.Value) : $"expected {YamlTypes.Describe(typeof(Device))}, got a {(node is YamlMappingNode ? "mapping" : "sequence")}");
        return null;
    }

    sealed class JsonConverter : JsonConverter<Device>
    {
        public override Device Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TryParse(reader.GetString(), out var device) ? device : throw new JsonException(NotADevice(reader.GetString()));

        public override void Write(Utf8JsonWriter writer, Device value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}

/// <summary>The kinds of <see cref="Device"/>.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when available, otherwise CPU.</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>A CUDA device.</summary>
    Cuda,
}

/// <summary>A device was asked for that this machine does not have.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
