namespace Cai.Plugins.Training.Ppo;

/// <summary>Means over the optimizer steps of one iteration's PPO epochs (TRL's policy/*, loss/*, val/* metrics).</summary>
/// <param name="ApproxKl">Approximate KL between the current and the rollout policy, before each step.</param>
/// <param name="ClipFraction">Fraction of response tokens where the policy ratio was clipped.</param>
/// <param name="PolicyLoss">Clipped surrogate loss.</param>
/// <param name="ValueLoss">Clipped value loss.</param>
/// <param name="ValueClipFraction">Fraction of response tokens where the value was clipped.</param>
/// <param name="Entropy">Mean per-token entropy of the current policy.</param>
/// <param name="Updates">Optimizer steps taken.</param>
/// <param name="EarlyStopped">Whether the epochs stopped because the approximate KL passed early_stop_kl.</param>
public sealed record PpoUpdateStatistics(double ApproxKl, double ClipFraction, double PolicyLoss, double ValueLoss,
    double ValueClipFraction, double Entropy, int Updates, bool EarlyStopped);
