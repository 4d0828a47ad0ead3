using Cai.Models.Modeling;
using Cai.Models.Modeling.Gpt2;
using Cai.Models.Modeling.Llama;
using Snapshooter.Xunit3;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class ModelStructureTests
{
    private static string[] KeysAndShapes(CausalLanguageModel model) =>
        model.named_parameters().Select(p => $"{p.name}: [{string.Join(", ", p.parameter.shape)}]").ToArray();

    [Fact]
    public void LlamaParameterNamesAndShapesMatchHuggingFace() => Snapshot.Match(KeysAndShapes(TinyModels.Create(TinyModels.LlamaConfig())));

    [Fact]
    public void TiedLlamaListsTheEmbeddingOnce() => Snapshot.Match(KeysAndShapes(TinyModels.Create(TinyModels.LlamaConfig(tied: true))));

    [Fact]
    public void Qwen2ParameterNamesAndShapesMatchHuggingFace() => Snapshot.Match(KeysAndShapes(TinyModels.Create(TinyModels.LlamaConfig(modelType: "qwen2"))));

    [Fact]
    public void GemmaParameterNamesAndShapesMatchHuggingFace() => Snapshot.Match(KeysAndShapes(TinyModels.Create(TinyModels.ConfigFor("gemma"))));

    [Fact]
    public void Phi3ParameterNamesAndShapesMatchHuggingFace() => Snapshot.Match(KeysAndShapes(TinyModels.Create(TinyModels.ConfigFor("phi3"))));

    [Fact]
    public void Gpt2ParameterNamesAndShapesMatchHuggingFace() => Snapshot.Match(KeysAndShapes(TinyModels.Create(TinyModels.Gpt2Config())));

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void HasNoPersistentBuffers(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        Assert.Empty(model.named_buffers());
    }

    [Theory]
    [InlineData("llama-tied")]
    [InlineData("gpt2")]
    public void TiedEmbeddingsShareOneParameter(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        AssertTied(model);
        model.to(ScalarType.Float64);
        AssertTied(model);
        Assert.Equal(ScalarType.Float64, model.DType);
    }

    private static void AssertTied(CausalLanguageModel model)
    {
        var (embedding, head) = model switch
        {
            LlamaForCausalLM l => (l.Embeddings.Weight, l.LmHead.Weight),
            Gpt2LMHeadModel g => (g.Embeddings.Weight, g.LmHead.Weight),
            _ => throw new InvalidOperationException(),
        };
        Assert.Same(embedding, head);
        using (no_grad()) embedding[0, 0] = tensor(123.0, embedding.dtype);
        using (no_grad()) Assert.Equal(123.0, head[0, 0].ToDouble());
        // One parameter for the optimizer, under the embedding's name.
        Assert.Single(model.parameters(), p => p.Handle == embedding.Handle);
        Assert.DoesNotContain(model.named_parameters(), p => p.name == "lm_head.weight");
        Assert.DoesNotContain("lm_head.weight", model.state_dict().Keys);
    }

    [Fact]
    public void TiedGradientsFlowFromBothUses()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig(tied: true));
        var ids = tensor(new long[] { 1, 5, 9, 3 }).unsqueeze(0);
        model.forward(new CausalLMInput(ids)).Logits.sum().backward();
        var embedding = model.named_parameters().Single(p => p.name == "model.embed_tokens.weight").parameter;
        // Rows never used as inputs still get gradient through the LM head.
        Assert.NotEqual(0.0, embedding.grad!.select(0, 50).abs().sum().ToDouble());
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void LogitsHaveTheExpectedShape(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        var output = model.forward(new CausalLMInput(randint(0, 97, [3, 7])));
        Assert.Equal([3, 7, 97], output.Logits.shape);
        Assert.Equal([3, 7, 32], output.LastHiddenState.shape);
        var last = model.forward(new CausalLMInput(randint(0, 97, [3, 7]), LogitsToKeep: 1));
        Assert.Equal([3, 1, 97], last.Logits.shape);
    }
}
