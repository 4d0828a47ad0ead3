using Cai.Models.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

/// <summary>A tiny causal LM for the training tests: embedding, one residual MLP, layer norm, LM head.</summary>
internal sealed class TrainingTestModel : CausalLanguageModel
{
#pragma warning disable IDE1006 // Hugging Face weight names (RegisterComponents names weights after fields)
    private readonly Embedding embed_tokens;
    private readonly Linear mlp;
    private readonly LayerNorm norm;
    private readonly Linear lm_head;
#pragma warning restore IDE1006

    public TrainingTestModel(int vocab = 16, int hidden = 8, long seed = 1, bool tied = false)
        : base(nameof(TrainingTestModel), new ModelConfig("test", vocab, hidden, 1, 64))
    {
        manual_seed(seed);
        embed_tokens = nn.Embedding(vocab, hidden);
        mlp = nn.Linear(hidden, hidden);
        norm = nn.LayerNorm(hidden);
        lm_head = nn.Linear(hidden, vocab, hasBias: false);
        if (tied) lm_head.weight = embed_tokens.weight!;
        RegisterComponents();
    }

    public override CausalLMOutput forward(CausalLMInput input)
    {
        var x = embed_tokens.forward(input.InputIds);
        // Position t sees token t-1 too, so the model can learn bigram-like transitions.
        var previous = nn.functional.pad(x[.., ..^1, ..], [0, 0, 1, 0]);
        var hidden = norm.forward(x + nn.functional.gelu(mlp.forward(x + previous)));
        return new CausalLMOutput(lm_head.forward(hidden), hidden);
    }

    public override KeyValueCache CreateCache(int batchSize, int maxLength, Device device, ScalarType dtype) =>
        throw new NotSupportedException("The test model has no cache.");

    /// <summary>Copies of all parameter values, for comparing runs.</summary>
    public Dictionary<string, float[]> Snapshot() =>
        named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());
}
