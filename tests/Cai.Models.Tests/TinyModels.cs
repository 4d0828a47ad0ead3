using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

/// <summary>Tiny random models and a scratch directory for the model tests.</summary>
internal static class TinyModels
{
    /// <summary>2 layers, 4 query heads over 2 key/value heads (grouped-query attention).</summary>
    public static ModelConfig LlamaConfig(int vocab = 97, bool tied = false, string modelType = "llama") =>
        ModelConfig.Llama(vocab, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2,
            maxPositionEmbeddings: 128, tieWordEmbeddings: tied, ropeTheta: 10000.0, rmsNormEps: 1e-5, modelType: modelType)
        with { BosTokenId = 1, EosTokenIds = [2] };

    public static ModelConfig Gpt2Config(int vocab = 97) =>
        ModelConfig.Gpt2(vocab, nEmbd: 32, nLayer: 2, nHead: 4, nPositions: 128) with { BosTokenId = 1, EosTokenIds = [2] };

    public static CausalLanguageModel Create(ModelConfig config, long seed = 7)
    {
        manual_seed(seed);
        var model = CausalLanguageModels.Create(config);
        // Larger weights than HF's 0.02 so that logits differ visibly between tokens and positions.
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (!name.Contains("norm") && !name.Contains("ln_") && !name.EndsWith("bias")) p.normal_(0, 0.2);
        model.eval();
        return model;
    }

    public static IEnumerable<object[]> Architectures() => [["llama"], ["llama-tied"], ["qwen2"], ["gemma"], ["phi3"], ["gpt2"]];

    public static ModelConfig ConfigFor(string name, int vocab = 97) => name switch
    {
        "llama" => LlamaConfig(vocab),
        "llama-tied" => LlamaConfig(vocab, tied: true),
        "qwen2" => LlamaConfig(vocab, modelType: "qwen2"),
        // Gemma: an explicit head_dim (4 heads of 16 over a hidden size of 32), tied embeddings.
        "gemma" => LlamaConfig(vocab, tied: true, modelType: "gemma") with { HeadDim = 16 },
        "phi3" => LlamaConfig(vocab, modelType: "phi3"),
        "gpt2" => Gpt2Config(vocab),
        _ => throw new ArgumentException(name),
    };

    /// <summary>A small byte-level BPE tokenizer with an end-of-text token, trained on a few sentences.</summary>
    public static TextTokenizer Tokenizer()
    {
        var docs = Enumerable.Repeat(new[] { "Hello world, hello there.", "Human: what is this?", "Assistant: it is a test of the model." }, 5).SelectMany(x => x);
        var bpe = new BpeTrainer(new BpeTrainerOptions(300, ["<|endoftext|>"])).Train(docs);
        return new TextTokenizer(bpe, new SpecialTokens(Bos: "<|endoftext|>", Eos: "<|endoftext|>"));
    }
}

/// <summary>Another model's weights under <paramref name="config"/> (other special tokens), its outputs optionally changed.</summary>
internal sealed class WrappedModel(CausalLanguageModel inner, ModelConfig config, Func<CausalLMInput, CausalLMOutput, CausalLMOutput>? change = null)
    : CausalLanguageModel("wrapped", config)
{
    public override CausalLMOutput forward(CausalLMInput input)
    {
        if (change is null) return inner.forward(input);
        using var scope = NewDisposeScope();
        var output = change(input, inner.forward(input));
        return new CausalLMOutput(output.Logits.MoveToOuterDisposeScope(), output.LastHiddenState.MoveToOuterDisposeScope());
    }

    public override KeyValueCache CreateCache(int batchSize, int maxLength, Device device, ScalarType dtype) =>
        inner.CreateCache(batchSize, maxLength, device, dtype);

    public override IEnumerable<(string name, TorchSharp.Modules.Parameter parameter)> named_parameters(bool recurse = true) => inner.named_parameters(recurse);
}

/// <summary>A directory deleted on dispose.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cai-models-" + Guid.NewGuid().ToString("N"));

    public ScratchDirectory() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
