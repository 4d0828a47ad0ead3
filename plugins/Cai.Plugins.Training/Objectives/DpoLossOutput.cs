using static TorchSharp.torch;

namespace Cai.Plugins.Training.Objectives;

/// <summary>DPO loss and its logging quantities; rewards are detached.</summary>
/// <param name="Loss">Scalar mean loss.</param>
/// <param name="ChosenRewards">Implicit rewards β·(log π − log π_ref) of the chosen responses, [batch].</param>
/// <param name="RejectedRewards">The same for the rejected responses, [batch].</param>
/// <param name="RewardAccuracy">Scalar: fraction of pairs with chosen reward &gt; rejected reward.</param>
/// <param name="RewardMargin">Scalar: mean of chosen − rejected rewards.</param>
public sealed record DpoLossOutput(
    Tensor Loss,
    Tensor ChosenRewards,
    Tensor RejectedRewards,
    Tensor RewardAccuracy,
    Tensor RewardMargin);
