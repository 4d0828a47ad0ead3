using Cai.Models.Training;

namespace Cai.Plugins.Training.Reward;

/// <summary>A labelled comparison, tokenised: prompt + chosen and prompt + rejected, each completion ending with eos.</summary>
/// <param name="Id">The row's id.</param>
/// <param name="Chosen">The prompt and the chosen response.</param>
/// <param name="Rejected">The prompt and the rejected response.</param>
/// <param name="ProbabilityChosen">The soft label P(chosen is better), in [0.5, 1].</param>
public sealed record PreferencePair(string Id, TokenizedExample Chosen, TokenizedExample Rejected, double ProbabilityChosen)
{
    /// <summary>The longer of the two sequences.</summary>
    public int Length => Math.Max(Chosen.Length, Rejected.Length);
}
