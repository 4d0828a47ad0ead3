using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cai.Models.IO;
using static TorchSharp.torch;

namespace Cai.Models.Checkpoints;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Safetensors dtype: F32, F16, BF16, I64, ...</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Begin">Start of the data, relative to the end of the header.</param>
/// <param name="End">End of the data (exclusive).</param>
public sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>A safetensors file's header: its tensors and metadata.</summary>
/// <param name="File">The file.</param>
/// <param name="DataStart">Offset of the data section in the file (8 + header length).</param>
/// <param name="Tensors">Entries by name.</param>
/// <param name="Metadata">The "__metadata__" strings.</param>
public sealed record SafeTensorsHeader(string File, long DataStart, IReadOnlyDictionary<string, SafeTensorEntry> Tensors,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data. Supports F32, F16, BF16, F64, I64, I32,
/// I16, I8, U8 and BOOL.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Safetensors dtype name of a TorchSharp type.</summary>
    public static string DTypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"safetensors: tensors of type {type} are not supported."),
    };

    /// <summary>TorchSharp type of a safetensors dtype name.</summary>
    public static ScalarType ScalarTypeOf(string dtype, string file) => dtype switch
    {
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "F64" => ScalarType.Float64,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new FormatException($"{file}: dtype {dtype} is not supported (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)."),
    };

    private static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>Reads and validates the header of <paramref name="file"/>.</summary>
    public static SafeTensorsHeader ReadHeader(string file)
    {
        using var stream = Cai.Abstractions.Input.InputFile.OpenRead(file, long.MaxValue);
        return ReadHeader(stream, file);
    }

    private static SafeTensorsHeader ReadHeader(FileStream stream, string file)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Length < 8) throw new FormatException($"{file}: too short to be a safetensors file.");
        stream.ReadExactly(lengthBytes);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
            throw new FormatException($"{file}: invalid safetensors header length {headerLength}.");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        List<KeyValuePair<string, JsonNode?>> header;
        try { header = (JsonNode.Parse(headerBytes) as JsonObject
            ?? throw new FormatException($"{file}: the header is not a JSON object.")).ToList(); }
        catch (JsonException e) { throw new FormatException($"{file}: the header is not valid JSON: {e.Message}", e); }
        catch (ArgumentException e) { throw new FormatException($"{file}: the header names a tensor twice ({e.Message})", e); }

        long dataLength = stream.Length - 8 - headerLength;
        var tensors = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw new FormatException($"{file}: \"__metadata__\" must be an object of strings.");
                foreach (var (key, value) in meta)
                    metadata[key] = value is JsonValue v && v.TryGetValue(out string? s) ? s : value?.ToJsonString() ?? "";
                continue;
            }
            tensors[name] = Entry(file, name, node, dataLength);
        }
        SafeTensorEntry? previous = null;
        foreach (var entry in tensors.Values.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && entry.Begin < previous.End)
                throw new FormatException($"{file}: tensors \"{previous.Name}\" [{previous.Begin}, {previous.End}) "
                                          + $"and \"{entry.Name}\" [{entry.Begin}, {entry.End}) overlap.");
            previous = entry;
        }
        return new SafeTensorsHeader(file, 8 + headerLength, tensors, metadata);
    }

    /// <summary>One header entry, checked: dtype known, shape of non-negative sizes, data_offsets [begin, end) inside the
    /// data section and exactly as long as the dtype and shape say.</summary>
    private static SafeTensorEntry Entry(string file, string name, JsonNode? node, long dataLength)
    {
        string Bad(string problem) => $"{file}: tensor \"{name}\" {problem}";
        if (node is not JsonObject o) throw new FormatException(Bad("must be an object with dtype, shape and data_offsets."));
        if (o["dtype"] is not JsonValue dtypeNode || !dtypeNode.TryGetValue(out string? dtype))
            throw new FormatException(Bad("has no \"dtype\" string."));
        var type = ScalarTypeOf(dtype, file);
        long[] Longs(string key) => o[key] is JsonArray array
            ? array.Select(d => d is JsonValue v && v.TryGetValue(out long x) && x >= 0 ? x
                : throw new FormatException(Bad($"has a \"{key}\" entry that is not a non-negative integer."))).ToArray()
            : throw new FormatException(Bad($"has no \"{key}\" array."));
        long[] shape = Longs("shape"), offsets = Longs("data_offsets");
        if (offsets.Length != 2) throw new FormatException(Bad($"has {offsets.Length} data_offsets; expected [begin, end]."));
        long bytes;
        try { bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * ElementSize(type)); }
        catch (OverflowException) { throw new FormatException(Bad($"has shape [{string.Join(", ", shape)}], too large.")); }
        var entry = new SafeTensorEntry(name, dtype, shape, offsets[0], offsets[1]);
        if (entry.End < entry.Begin || entry.End > dataLength)
            throw new FormatException(Bad(
                $"has data_offsets [{entry.Begin}, {entry.End}] outside the data section of {dataLength} bytes."));
        if (entry.End - entry.Begin != bytes)
            throw new FormatException(Bad($"has data_offsets [{entry.Begin}, {entry.End}] ({entry.End - entry.Begin} bytes), "
                                          + $"but dtype {dtype} and shape [{string.Join(", ", shape)}] need {bytes} bytes."));
        return entry;
    }

    /// <summary>Reads one tensor of a file into a new CPU tensor of the file's dtype.</summary>
    public static Tensor ReadTensor(SafeTensorsHeader header, string name)
    {
        using var stream = File.OpenRead(header.File);
        return ReadTensor(stream, header, header.Tensors[name]);
    }

    /// <summary>Reads one tensor from an open stream of the file into a new CPU tensor of the file's dtype.</summary>
    public static Tensor ReadTensor(FileStream stream, SafeTensorsHeader header, SafeTensorEntry entry)
    {
        var t = empty(entry.Shape, ScalarTypeOf(entry.DType, header.File));
        if (entry.End > entry.Begin)
        {
            stream.Seek(header.DataStart + entry.Begin, SeekOrigin.Begin);
            stream.ReadExactly(t.bytes);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian.");
        }
        return t;
    }

    /// <summary>All tensors of a file, as CPU tensors of their stored dtype.</summary>
    public static Dictionary<string, Tensor> Load(string file)
    {
        using var stream = File.OpenRead(file);
        var header = ReadHeader(stream, file);
        return header.Tensors.Values.OrderBy(e => e.Begin).ToDictionary(e => e.Name, e => ReadTensor(stream, header, e), StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes tensors (any device; stored as given) to <paramref name="file"/>, in name order, with
    /// <paramref name="metadata"/> (Hugging Face expects {"format": "pt"}, which is the default).
    /// </summary>
    public static void Save(string file, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, string> { ["format"] = "pt" }) meta[key] = value;
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var (name, t) in list)
        {
            using (NewDisposeScope())
                if (t.is_floating_point() && !t.isfinite().all().item<bool>())
                    throw new InvalidDataException($"{file}: tensor \"{name}\" holds NaN or infinite values; the file is not written.");
            long size = t.NumberOfElements * ElementSize(t.dtype);
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(t.dtype),
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        var headerBytes = new byte[padded];
        json.CopyTo(headerBytes, 0);
        headerBytes.AsSpan(json.Length).Fill((byte)' ');

        AtomicFile.Write(file, stream =>
        {
            var length = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, padded);
            stream.Write(length);
            stream.Write(headerBytes);
            foreach (var (_, t) in list)
            {
                using var scope = NewDisposeScope();
                var cpu = t.detach().cpu().contiguous();
                if (cpu.NumberOfElements > 0) stream.Write(cpu.bytes);
            }
        });
    }
}
