using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// The LM head (Hugging Face's lm_head, a bias-free Linear): logits = x W^T. Untied it owns its "weight"
/// Parameter; tied (tie_word_embeddings) it registers nothing and uses the embedding's Parameter itself, so there is
/// one tensor, one gradient and one optimizer entry, it survives moves and dtype conversions, and a saved state dict
/// holds it once under the embedding's name, as Hugging Face's save_pretrained writes it.
/// </summary>
public sealed class LanguageModelHead : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // the weight name "weight" is the field name (RegisterComponents)
    private readonly Parameter? weight;
#pragma warning restore IDE1006
    private readonly Func<Parameter>? _tied;

    /// <summary>An untied head of [vocab, hidden].</summary>
    public LanguageModelHead(long hidden, long vocab) : base(nameof(LanguageModelHead))
    {
        weight = nn.Parameter(empty(vocab, hidden).normal_(0, 0.02));
        RegisterComponents();
    }

    /// <summary>A head tied to an embedding table (read at every call, so it follows moves and conversions).</summary>
    public LanguageModelHead(TokenEmbedding tiedTo) : base(nameof(LanguageModelHead)) => _tied = () => tiedTo.Weight;

    /// <summary>Whether the weight is the embedding's.</summary>
    public bool IsTied => _tied is not null;

    /// <summary>The [vocab, hidden] weight (the embedding Parameter itself when tied).</summary>
    public Parameter Weight => _tied?.Invoke() ?? weight!;

    public override Tensor forward(Tensor x) => nn.functional.linear(x, Weight);
}
