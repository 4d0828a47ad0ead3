using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>A PPO clipped loss and how often its clipped branch was taken.</summary>
/// <param name="Loss">Scalar loss to minimise.</param>
/// <param name="ClipFraction">Scalar, detached: fraction of response tokens where the clipped term was strictly larger.</param>
public sealed record ClippedLoss(Tensor Loss, Tensor ClipFraction);
