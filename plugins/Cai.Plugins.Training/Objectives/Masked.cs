using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>Statistics over the positions where a mask is non-zero (response tokens); masks may be bool or float.</summary>
public static class Masked
{
    /// <summary>Mean over all masked positions; NaN when the mask is empty.</summary>
    public static Tensor Mean(Tensor values, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(values.dtype);
        return ((values * m).sum() / m.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>Mean along <paramref name="dim"/>, e.g. per sequence with dim 1.</summary>
    public static Tensor Mean(Tensor values, Tensor mask, long dim)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(values.dtype);
        return ((values * m).sum(dim) / m.sum(dim)).MoveToOuterDisposeScope();
    }

    /// <summary>Variance over masked positions; unbiased (Bessel-corrected) by default, as in TRL.</summary>
    public static Tensor Variance(Tensor values, Tensor mask, bool unbiased = true)
    {
        using var scope = NewDisposeScope();
        var mean = Mean(values, mask);
        var centered = values - mean;
        var variance = Mean(centered * centered, mask);
        if (unbiased)
        {
            var count = mask.to_type(values.dtype).sum();
            variance = variance * count / (count - 1);
        }
        return variance.MoveToOuterDisposeScope();
    }

    /// <summary>(x − mean) / sqrt(var + 1e-8) over masked positions; masked-out positions become 0.</summary>
    /// <param name="values">Values to whiten.</param>
    /// <param name="mask">Positions that count.</param>
    /// <param name="shiftMean">When false the mean is added back: only the scale changes.</param>
    public static Tensor Whiten(Tensor values, Tensor mask, bool shiftMean = true)
    {
        using var scope = NewDisposeScope();
        var mean = Mean(values, mask);
        var variance = Variance(values, mask);
        var whitened = (values - mean) * rsqrt(variance + 1e-8);
        if (!shiftMean)
            whitened = whitened + mean;
        return (whitened * mask.to_type(values.dtype)).MoveToOuterDisposeScope();
    }
}
