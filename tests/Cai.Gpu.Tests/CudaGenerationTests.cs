using Cai.Abstractions.Text;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using Cai.Models.Tests;
using Cai.Models.Tokenization;
using Cai.Tests.Shared;
using static TorchSharp.torch;

namespace Cai.Gpu.Tests;

/// <summary>
/// Generation on CUDA against the CPU, on checkpoints written in the Hugging Face layout (random fp32 weights) and
/// loaded on each device: Llama (grouped-query attention), Qwen2 (q/k/v biases, tied embeddings), GPT-2.
/// </summary>
[Trait("Category", Requirements.Cuda)]
public sealed class CudaGenerationTests : IDisposable
{
    static readonly TextTokenizer _tokenizer = TinyModels.Tokenizer();
    readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    static ModelConfig Config(string architecture) => architecture switch
    {
        "qwen2" => TinyModels.LlamaConfig(_tokenizer.VocabSize, tied: true, modelType: "qwen2"),
        _ => TinyModels.ConfigFor(architecture, _tokenizer.VocabSize),
    };

    string Checkpoint(string architecture)
    {
        string directory = _scratch.Sub(architecture);
        using var model = TinyModels.Create(Config(architecture) with { EosTokenIds = [] });
        CheckpointWriter.Save(model, directory, _tokenizer);
        return directory;
    }

    // Prompts of different lengths: batches of them are left-padded.
    static IReadOnlyList<IReadOnlyList<int>> Prompts() =>
        new[] { "Hello world", "Human: what is this? Assistant:", "it is a test of the model, hello there.", "Hello" }
            .Select(p => (IReadOnlyList<int>)_tokenizer.Encode(p)).ToList();

    static List<int[]> Generate(string checkpoint, Device device, GenerationOptions options)
    {
        using var model = CausalLanguageModelLoader.Load(checkpoint, device);
        Assert.Equal(device.type, model.Device.type);
        return new TokenGenerator(model).Generate(Prompts(), options) // no tokenizer: no eos, every sequence runs its full length
            .SelectMany(samples => samples.Select(s => s.TokenIds.ToArray())).ToList();
    }

    static readonly GenerationOptions _greedy = new() { Temperature = 0, MaxNewTokens = 24, BatchSize = 1 };

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    [InlineData("gpt2")]
    public void GreedyTokensOnCudaEqualTheCpus(string architecture)
    {
        Requirements.RequireCuda();
        string checkpoint = Checkpoint(architecture);
        var cpu = Generate(checkpoint, CPU, _greedy);
        var cuda = Generate(checkpoint, CUDA, _greedy);
        Assert.All(cpu, tokens => Assert.Equal(_greedy.MaxNewTokens, tokens.Length));
        Assert.Equal(cpu, cuda);
    }

    [Fact]
    public void BatchedWithPaddingEqualsOneByOneOnCuda()
    {
        Requirements.RequireCuda();
        string checkpoint = Checkpoint("llama");
        var oneByOne = Generate(checkpoint, CUDA, _greedy);
        var batched = Generate(checkpoint, CUDA, _greedy with { BatchSize = Prompts().Count });
        Assert.Equal(oneByOne, batched);
    }

    // Through the whole engine (its uniforms are drawn on the host from the seeds; SamplerTests checks the sampler alone
    // on the same logits). The logits of the two devices agree to rounding, so the same uniforms pick the same tokens
    // unless one falls within rounding of a cumulative-probability boundary.
    [Fact]
    public void SampledTokensOnCudaEqualTheCpusForTheSameSeeds()
    {
        Requirements.RequireCuda();
        string checkpoint = Checkpoint("llama");
        var sampled = new GenerationOptions { Temperature = 1.0f, TopK = 50, TopP = 0.95f, MaxNewTokens = 16, NumReturnSequences = 2, Seed = 7, BatchSize = 8 };
        var cpu = Generate(checkpoint, CPU, sampled);
        var cuda = Generate(checkpoint, CUDA, sampled);
        Assert.NotEqual(Generate(checkpoint, CPU, _greedy with { MaxNewTokens = 16 }).Take(1), cpu.Take(1)); // it did sample
        Assert.Equal(cpu, cuda);
    }
}
