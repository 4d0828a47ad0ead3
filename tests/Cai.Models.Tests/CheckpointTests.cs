using System.Text.Json.Nodes;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Snapshooter.Xunit3;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class CheckpointTests
{
    private static Dictionary<string, byte[]> Bytes(CausalLanguageModel model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().contiguous().bytes.ToArray());

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void SaveThenLoadIsBitExact(string architecture)
    {
        using var dir = new ScratchDirectory();
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        CheckpointWriter.Save(model, dir.Sub("ckpt"));
        using var loaded = CausalLanguageModelLoader.Load(dir.Sub("ckpt"));
        Assert.Equal(model.GetType(), loaded.GetType());
        Assert.Equal(model.Config.ToJson(), loaded.Config.ToJson());
        var expected = Bytes(model);
        var actual = Bytes(loaded);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), name);
        Assert.True(File.Exists(Path.Combine(dir.Sub("ckpt"), "config.json")));
        Assert.True(File.Exists(Path.Combine(dir.Sub("ckpt"), "generation_config.json")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".ckpt*"));
    }

    [Fact]
    public void TiedHeadIsWrittenOnceAndLoadedTied()
    {
        using var dir = new ScratchDirectory();
        using var model = TinyModels.Create(TinyModels.LlamaConfig(tied: true));
        CheckpointWriter.Save(model, dir.Path + "/ckpt");
        var header = SafeTensors.ReadHeader(Path.Combine(dir.Path, "ckpt", "model.safetensors"));
        Assert.Contains("model.embed_tokens.weight", header.Tensors.Keys);
        Assert.DoesNotContain("lm_head.weight", header.Tensors.Keys);
        Assert.Equal("pt", header.Metadata["format"]);
        using var loaded = CausalLanguageModelLoader.Load(dir.Path + "/ckpt");
        var llama = Assert.IsType<Cai.Models.Modeling.Llama.LlamaForCausalLM>(loaded);
        Assert.Same(llama.Embeddings.Weight, llama.LmHead.Weight);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void HalfPrecisionCheckpointsRoundTrip(ScalarType dtype)
    {
        using var dir = new ScratchDirectory();
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        CheckpointWriter.Save(model, dir.Sub("half"), options: new CheckpointWriteOptions { DType = dtype });
        var header = SafeTensors.ReadHeader(Path.Combine(dir.Sub("half"), "model.safetensors"));
        Assert.All(header.Tensors.Values, e => Assert.Equal(SafeTensors.DTypeName(dtype), e.DType));
        Assert.Equal(dtype == ScalarType.Float16 ? "float16" : "bfloat16", ModelConfig.Load(dir.Sub("half")).TorchDtype);

        // Loaded in the stored type: bit-exact with the converted originals.
        using var half = CausalLanguageModelLoader.Load(dir.Sub("half"), dtype: dtype);
        var originals = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.to(dtype));
        foreach (var (name, p) in half.named_parameters())
            Assert.True(p.bytes.SequenceEqual(originals[name].bytes), name);

        // Loaded as float32: equal to the float32 widening of the stored values; saving again as half is bit-exact.
        using var wide = CausalLanguageModelLoader.Load(dir.Sub("half"));
        foreach (var (name, p) in wide.named_parameters())
            Assert.True((p == originals[name].to(ScalarType.Float32)).all().item<bool>(), name);
        CheckpointWriter.Save(wide, dir.Sub("again"), options: new CheckpointWriteOptions { DType = dtype });
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Sub("half"), "model.safetensors")), File.ReadAllBytes(Path.Combine(dir.Sub("again"), "model.safetensors")));
    }

    [Fact]
    public void ShardedCheckpointLoads()
    {
        using var dir = new ScratchDirectory();
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        CheckpointWriter.Save(model, dir.Sub("sharded"), options: new CheckpointWriteOptions { MaxShardBytes = 40_000 });
        var shards = Directory.GetFiles(dir.Sub("sharded"), "model-*.safetensors");
        Assert.True(shards.Length > 1, $"{shards.Length} shard(s)");
        Assert.False(File.Exists(Path.Combine(dir.Sub("sharded"), "model.safetensors")));
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Sub("sharded"), "model.safetensors.index.json")))!;
        Assert.Equal(model.named_parameters().Count(), index["weight_map"]!.AsObject().Count);
        using var loaded = CausalLanguageModelLoader.Load(dir.Sub("sharded"));
        var expected = Bytes(model);
        foreach (var (name, bytes) in Bytes(loaded)) Assert.True(bytes.AsSpan().SequenceEqual(expected[name]), name);
    }

    [Fact]
    public void MismatchedCheckpointNamesEveryTensor()
    {
        using var dir = new ScratchDirectory();
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        CheckpointWriter.Save(model, dir.Sub("ckpt"));
        string file = Path.Combine(dir.Sub("ckpt"), "model.safetensors");
        var tensors = SafeTensors.Load(file);
        tensors.Remove("model.layers.1.mlp.down_proj.weight");
        tensors.Remove("model.norm.weight");
        tensors["model.layers.0.self_attn.k_proj.weight"] = zeros(8, 32);
        tensors["model.layers.2.self_attn.q_proj.weight"] = zeros(32, 32);
        SafeTensors.Save(file, tensors);
        var e = Assert.Throws<CheckpointMismatchException>(() => CausalLanguageModelLoader.Load(dir.Sub("ckpt")));
        Assert.Equal(["model.layers.1.mlp.down_proj.weight", "model.norm.weight"], e.Missing.Order());
        Assert.Equal(["model.layers.2.self_attn.q_proj.weight"], e.Unexpected);
        Assert.Equal("model.layers.0.self_attn.k_proj.weight", Assert.Single(e.Mismatched).Name);
        Snapshot.Match(e.Message.Replace(dir.Sub("ckpt"), "<checkpoint>"));
    }

    [Fact]
    public void MissingHeadOfUntiedModelIsReported()
    {
        using var dir = new ScratchDirectory();
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        CheckpointWriter.Save(model, dir.Sub("ckpt"));
        string file = Path.Combine(dir.Sub("ckpt"), "model.safetensors");
        var tensors = SafeTensors.Load(file);
        tensors.Remove("lm_head.weight");
        SafeTensors.Save(file, tensors);
        var e = Assert.Throws<CheckpointMismatchException>(() => CausalLanguageModelLoader.Load(dir.Sub("ckpt")));
        Assert.Equal(["lm_head.weight"], e.Missing);
        Assert.Contains("missing (1): lm_head.weight", e.Message);
    }

    [Fact]
    public void Gpt2CheckpointWithoutPrefixAndWithOldBuffersLoads()
    {
        using var dir = new ScratchDirectory();
        using var model = TinyModels.Create(TinyModels.Gpt2Config());
        CheckpointWriter.Save(model, dir.Sub("ckpt"));
        string file = Path.Combine(dir.Sub("ckpt"), "model.safetensors");
        var tensors = SafeTensors.Load(file).ToDictionary(kv => kv.Key.Replace("transformer.", ""), kv => kv.Value);
        tensors["h.0.attn.bias"] = ones(1, 1, 128, 128);
        tensors["h.0.attn.masked_bias"] = tensor(-1e4f);
        SafeTensors.Save(file, tensors);
        using var loaded = CausalLanguageModelLoader.Load(dir.Sub("ckpt"));
        var expected = Bytes(model);
        foreach (var (name, bytes) in Bytes(loaded)) Assert.True(bytes.AsSpan().SequenceEqual(expected[name]), name);
    }

    [Fact]
    public void SafeTensorsRoundTripsIntegerTensorsAndMetadata()
    {
        using var dir = new ScratchDirectory();
        string file = dir.Sub("t.safetensors");
        SafeTensors.Save(file, new Dictionary<string, Tensor>
        {
            ["ids"] = tensor(new long[] { 1, -2, 3_000_000_000 }),
            ["empty"] = zeros(0, 3),
            ["half"] = tensor(new float[] { 1.5f, -2.25f }).to(ScalarType.BFloat16),
        }, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "x" });
        var header = SafeTensors.ReadHeader(file);
        Assert.Equal("x", header.Metadata["note"]);
        Assert.Equal(0, (header.DataStart) % 8);
        var loaded = SafeTensors.Load(file);
        Assert.Equal([1L, -2, 3_000_000_000], loaded["ids"].data<long>().ToArray());
        Assert.Equal([0L, 3], loaded["empty"].shape);
        Assert.Equal([1.5f, -2.25f], loaded["half"].to(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void CorruptHeaderIsReportedWithTheFile()
    {
        using var dir = new ScratchDirectory();
        string file = dir.Sub("bad.safetensors");
        File.WriteAllBytes(file, [.. BitConverter.GetBytes(20L), .. "{\"w\":{\"dtype\":\"F32\"}}"u8.ToArray().Take(20)]);
        var e = Assert.Throws<FormatException>(() => SafeTensors.ReadHeader(file));
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void OverlappingTensorsAreRefused()
    {
        using var dir = new ScratchDirectory();
        string file = dir.Sub("overlap.safetensors");
        byte[] header = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"""u8.ToArray();
        File.WriteAllBytes(file, [.. BitConverter.GetBytes((long)header.Length), .. header, .. new byte[12]]);
        var e = Assert.Throws<FormatException>(() => SafeTensors.ReadHeader(file));
        Assert.Contains("overlap", e.Message);
    }

    [Fact]
    public void NonFiniteWeightsAreNotWritten()
    {
        using var dir = new ScratchDirectory();
        string file = dir.Sub("nan.safetensors");
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Save(file, new Dictionary<string, Tensor> { ["w"] = tensor(new[] { 1f, float.NaN }) }));
        Assert.Contains("\"w\" holds NaN", e.Message);
        Assert.False(File.Exists(file));
    }
}
