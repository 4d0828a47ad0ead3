using System.Text.Json.Nodes;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

/// <summary>
/// The Llama module's variants give the logits of a plain-PyTorch implementation of transformers' modeling code
/// (Fixtures/reference_llama_variants.py): rotary scaling (linear, dynamic, llama3; rope_scaling or rope_parameters),
/// Gemma (scaled embeddings, 1 + weight norms, tanh GELU, explicit head_dim, tied embeddings) and Phi-3 (fused
/// qkv_proj and gate_up_proj).
/// </summary>
public class LlamaVariantsTests
{
    static string FixtureDirectory => FixtureScripts.Path("llama_variants");

    public static TheoryData<string> Cases => ["default", "llama3", "llama3_rope_parameters", "linear", "dynamic", "gemma", "phi3"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogitsMatchThePyTorchReference(string name) => AssertMatchesReference(FixtureDirectory, name);

    [Fact]
    public void ThePythonScriptAgreesWhenRerun()
    {
        // The committed fixture is what the other tests use; this reruns the reference when torch is installed.
        using var dir = new ScratchDirectory();
        FixtureScripts.Run("reference_llama_variants.py", dir.Path, "torch");
        foreach (string name in Cases) AssertMatchesReference(dir.Path, name);
    }

    [Fact]
    public void DynamicScalingChangesNothingWithinMaxPositionEmbeddings()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.LlamaConfig();
        var dynamic = config with { RopeScaling = new RopeScaling(RopeScaling.Dynamic, 2.0) };
        var ids = tensor(new long[] { 1, 5, 9, 3, 7, 2 }).unsqueeze(0);
        using var plain = TinyModels.Create(config);
        using var scaled = TinyModels.Create(dynamic);
        scaled.load_state_dict(plain.state_dict());
        Assert.Equal(2 * config.MaxPositionEmbeddings, dynamic.ContextLength);
        Assert.True(plain.forward(new CausalLMInput(ids)).Logits.allclose(scaled.forward(new CausalLMInput(ids)).Logits, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void ScalingIsWrittenBackAsRopeScaling()
    {
        var parsed = ModelConfig.Parse(JsonNode.Parse("""
            {"model_type":"llama","vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":2,
             "rope_parameters":{"rope_type":"llama3","rope_theta":500000.0,"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}
            """)!.AsObject());
        Assert.Equal(new RopeScaling(RopeScaling.Llama3, 8) { OriginalMaxPositionEmbeddings = 8192 }, parsed.RopeScaling);
        Assert.Equal(500000.0, parsed.RopeTheta);
        var json = JsonNode.Parse(parsed.ToJson())!;
        Assert.Equal("llama3", json["rope_scaling"]!["rope_type"]!.GetValue<string>());
        var back = ModelConfig.Parse(json.AsObject());
        Assert.Equal(parsed.RopeScaling, back.RopeScaling);
        Assert.Equal(parsed.RopeTheta, back.RopeTheta);

        var plain = ModelConfig.Parse(JsonNode.Parse("""{"model_type":"llama","vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":2,"rope_parameters":{"rope_type":"default","rope_theta":1234.0}}""")!.AsObject());
        Assert.Null(plain.RopeScaling);
        Assert.Equal(1234.0, plain.RopeTheta);
    }

    [Theory]
    [InlineData("gemma")]
    [InlineData("phi3")]
    public void HuggingFaceCheckpointsSaveBackToTheSameTensors(string name)
    {
        var item = JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "cases.json")))!["cases"]![name]!;
        using var dir = new ScratchDirectory();
        Directory.CreateDirectory(dir.Sub("hf"));
        File.WriteAllText(Path.Combine(dir.Sub("hf"), "config.json"), item["config"]!.ToJsonString());
        string weights = Path.Combine(FixtureDirectory, item["weights"]!.GetValue<string>());
        File.Copy(weights, Path.Combine(dir.Sub("hf"), "model.safetensors"));

        using var scope = NewDisposeScope();
        using var model = CausalLanguageModelLoader.Load(dir.Sub("hf"));
        CheckpointWriter.Save(model, dir.Sub("saved"), options: new CheckpointWriteOptions { DType = ScalarType.BFloat16 });
        var original = SafeTensors.Load(weights);
        var saved = SafeTensors.Load(Path.Combine(dir.Sub("saved"), "model.safetensors"));
        Assert.Equal(original.Keys.Order(), saved.Keys.Order());
        foreach (var (key, tensor) in original) Assert.True(tensor.allclose(saved[key], rtol: 0, atol: 0), key);
        Assert.Contains(saved.Keys, k => k.EndsWith(name == "phi3" ? "self_attn.qkv_proj.weight" : "self_attn.q_proj.weight", StringComparison.Ordinal));
    }

    [Fact]
    public void Phi3RefusesSequencesBeyondItsWindow()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(TinyModels.ConfigFor("phi3") with { SlidingWindow = 8 });
        Assert.Equal(8, model.Config.ContextLength);
        Assert.Equal([1, 8, 97], model.forward(new CausalLMInput(zeros(1, 8, dtype: ScalarType.Int64))).Logits.shape);
        var e = Assert.Throws<ArgumentException>(() => model.forward(new CausalLMInput(zeros(1, 9, dtype: ScalarType.Int64))));
        Assert.Contains("9 positions", e.Message);
    }

    static void AssertMatchesReference(string directory, string name)
    {
        var fixture = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "cases.json")))!;
        long[] ids = [.. fixture["input_ids"]!.AsArray().Select(n => n!.GetValue<long>())];
        var item = fixture["cases"]![name]!;
        using var dir = new ScratchDirectory();
        File.WriteAllText(dir.Sub("config.json"), item["config"]!.ToJsonString());
        File.Copy(Path.Combine(directory, item["weights"]!.GetValue<string>()), dir.Sub("model.safetensors"));

        using var scope = NewDisposeScope();
        using var model = CausalLanguageModelLoader.Load(dir.Path);
        Assert.Equal(item["config"]!["model_type"]!.GetValue<string>(), model.Config.ModelType);
        using var noGrad = no_grad();
        var logits = model.forward(new CausalLMInput(tensor(ids).unsqueeze(0))).Logits[0];
        var expected = SafeTensors.Load(Path.Combine(directory, "expected_logits.safetensors"))[name];
        double difference = (logits - expected).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"{name}: logits differ from the reference by up to {difference}");
    }
}
