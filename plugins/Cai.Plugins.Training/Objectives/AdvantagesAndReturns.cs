using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>GAE output, [batch, seq], 0 at masked-out positions.</summary>
/// <param name="Advantages">Â_t.</param>
/// <param name="Returns">Â_t + V_t: the value head's regression target.</param>
public sealed record AdvantagesAndReturns(Tensor Advantages, Tensor Returns);
