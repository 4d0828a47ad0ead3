using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

/// <summary>
/// Rotary scaling (linear, dynamic, llama3; rope_scaling or rope_parameters) gives the logits of a plain-PyTorch
/// implementation of transformers' Llama and rope init functions (Fixtures/reference_rope_scaling.py).
/// </summary>
public class RopeScalingTests
{
    static string FixtureDirectory => Path.Combine(ReferenceLlamaTests.RepositoryRoot(), "tests", "Cai.Models.Tests", "Fixtures", "rope_scaling");

    public static TheoryData<string> Cases => ["llama3", "llama3_rope_parameters", "linear", "dynamic"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogitsMatchThePyTorchReference(string name) => AssertMatchesReference(FixtureDirectory, name);

    [Fact]
    public void ThePythonScriptAgreesWhenRerun()
    {
        // The committed fixture is what the other tests use; this reruns the reference when torch is installed.
        string python = Cai.Tests.Shared.Requirements.RequirePython("torch");
        using var dir = new ScratchDirectory();
        var start = new ProcessStartInfo(python)
        {
            ArgumentList = { Path.Combine(FixtureDirectory, "..", "reference_rope_scaling.py"), dir.Path },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "reference_rope_scaling.py took over two minutes");
        Assert.True(process.ExitCode == 0, stdout + stderr);
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

        var plain = ModelConfig.Parse(JsonNode.Parse("""{"model_type":"llama","rope_parameters":{"rope_type":"default","rope_theta":1234.0}}""")!.AsObject());
        Assert.Null(plain.RopeScaling);
        Assert.Equal(1234.0, plain.RopeTheta);
    }

    static void AssertMatchesReference(string directory, string name)
    {
        var fixture = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "cases.json")))!;
        long[] ids = [.. fixture["input_ids"]!.AsArray().Select(n => n!.GetValue<long>())];
        using var dir = new ScratchDirectory();
        File.WriteAllText(dir.Sub("config.json"), fixture["cases"]![name]!.ToJsonString());
        File.Copy(Path.Combine(directory, "model.safetensors"), dir.Sub("model.safetensors"));

        using var scope = NewDisposeScope();
        using var model = CausalLanguageModelLoader.Load(dir.Path);
        Assert.NotNull(model.Config.RopeScaling);
        using var noGrad = no_grad();
        var logits = model.forward(new CausalLMInput(tensor(ids).unsqueeze(0))).Logits[0];
        var expected = SafeTensors.Load(Path.Combine(directory, "expected_logits.safetensors"))[name];
        double difference = (logits - expected).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"{name}: logits differ from the reference by up to {difference}");
    }
}
