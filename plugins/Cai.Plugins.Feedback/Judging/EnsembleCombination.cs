namespace Cai.Plugins.Feedback.Judging;

/// <summary>How an ensemble turns its members' P(A) into one label.</summary>
public enum EnsembleCombination
{
    /// <summary>The mean of the members' probabilities: a soft label.</summary>
    Mean,

    /// <summary>A hard label: 1 when more members prefer A than B, 0 when more prefer B, 0.5 otherwise.
    /// A member at exactly 0.5 abstains.</summary>
    MajorityVote,
}
