using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// An embedding table (torch.nn.Embedding) whose weight is a plain managed Parameter, so that an LM head can hold
/// the very same Parameter object (TorchSharp's native nn.Embedding hands out a new wrapper on every access).
/// </summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly long _dim;

#pragma warning disable IDE1006 // the weight name "weight" is the field name (RegisterComponents)
    private readonly Parameter weight;
#pragma warning restore IDE1006

    public TokenEmbedding(long count, long dim) : base(nameof(TokenEmbedding))
    {
        _dim = dim;
        weight = nn.Parameter(empty(count, dim).normal_());
        RegisterComponents();
    }

    /// <summary>The [count, dim] table.</summary>
    public Parameter Weight => weight;

    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        return weight.index_select(0, ids.reshape(-1)).view([.. ids.shape, _dim]).MoveToOuterDisposeScope();
    }
}
