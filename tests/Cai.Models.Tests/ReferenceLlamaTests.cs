using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;

namespace Cai.Models.Tests;

/// <summary>
/// A Llama checkpoint written by an independent pure-Python implementation (Fixtures/reference_llama.py: its own
/// safetensors writer, BF16 weights, full-recomputation greedy decoding) gives the same greedy tokens here.
/// </summary>
public class ReferenceLlamaTests
{
    public static string FixtureDirectory => FixtureScripts.Path("reference_llama");

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CaiFramework.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("CaiFramework.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void GreedyTokensMatchThePythonReference()
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "expected_tokens.json")))!;
        var prompt = expected["prompt_ids"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var tokens = expected["output_ids"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        using var model = CausalLanguageModelLoader.Load(FixtureDirectory);
        var generated = new TokenGenerator(model).Generate([prompt],
            new GenerationOptions { Temperature = 0, MaxNewTokens = expected["max_new_tokens"]!.GetValue<int>() });
        Assert.Equal(tokens, generated[0][0].TokenIds);
    }

    [Theory]
    [InlineData(TorchSharp.torch.ScalarType.BFloat16)]
    [InlineData(TorchSharp.torch.ScalarType.Float16)]
    public void GeneratesInHalfPrecision(TorchSharp.torch.ScalarType dtype)
    {
        using var model = CausalLanguageModelLoader.Load(FixtureDirectory, dtype: dtype);
        Assert.Equal(dtype, model.DType);
        var generated = new TokenGenerator(model).Generate([[1, 7, 21, 33, 5, 40]],
            new GenerationOptions { Temperature = 0.7f, TopP = 0.9f, MaxNewTokens = 12, NumReturnSequences = 3 });
        Assert.All(generated[0], s => Assert.Equal(12, s.TokenIds.Count));
        var scores = new ContinuationScorer(model).Score([new TokenScoringRequest([1, 7, 21], [33, 5, 40])]);
        Assert.True(double.IsFinite(scores[0].LogProb) && scores[0].LogProb < 0);
    }

    [Fact]
    public void ThePythonScriptRegeneratesTheCommittedFixture()
    {
        // python3 is optional: the committed fixture is what the other tests use.
        using var dir = new ScratchDirectory();
        FixtureScripts.Run("reference_llama.py", dir.Path);
        foreach (string file in new[] { "config.json", "model.safetensors", "expected_tokens.json" })
            Assert.True(File.ReadAllBytes(Path.Combine(dir.Path, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(FixtureDirectory, file))), file);
    }
}
