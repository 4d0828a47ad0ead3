using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling.Gpt2;

/// <summary>The GPT-2 trunk (GPT2Model): token and learned position embeddings, blocks, final layer norm.</summary>
public sealed class Gpt2Model : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly TokenEmbedding wte;
    private readonly TokenEmbedding wpe;
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;

    public Gpt2Model(ModelConfig config) : base(nameof(Gpt2Model))
    {
        wte = new TokenEmbedding(config.VocabSize, config.HiddenSize);
        wpe = new TokenEmbedding(config.MaxPositionEmbeddings, config.HiddenSize);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.NumHiddenLayers).Select(i => new Gpt2Block(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.HiddenSize, config.NormEpsilon);
        RegisterComponents();
    }

    /// <summary>The token embedding (tied to the LM head).</summary>
    public TokenEmbedding Wte => wte;

    public override Tensor forward(Tensor inputIds, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        var x = wte.forward(inputIds) + wpe.forward(context.PositionIds);
        foreach (var block in h) x = block.forward(x, context);
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }
}
