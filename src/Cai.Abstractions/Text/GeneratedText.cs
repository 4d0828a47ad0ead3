namespace Cai.Abstractions.Text;

/// <summary>Why a sequence stopped.</summary>
public enum FinishReason
{
    /// <summary>The model produced its end-of-sequence token.</summary>
    EndOfSequence,
    /// <summary>A stop string appeared.</summary>
    StopString,
    /// <summary>MaxNewTokens was reached.</summary>
    Length,
}

/// <summary>One sampled continuation.</summary>
/// <param name="Text">The decoded new text, without the prompt and without the stop string.</param>
/// <param name="TokenIds">The new token ids.</param>
/// <param name="FinishReason">Why it stopped.</param>
public sealed record GeneratedText(string Text, IReadOnlyList<int> TokenIds, FinishReason FinishReason);

/// <summary>A prompt and continuations whose log-probabilities are wanted.</summary>
/// <param name="Prompt">The conditioning text.</param>
/// <param name="Continuations">Texts scored after the prompt.</param>
public sealed record ScoringRequest(string Prompt, IReadOnlyList<string> Continuations);

/// <summary>How a model measured a continuation's score (<see cref="ContinuationScore.Method"/>).</summary>
public enum ScoringMethod
{
    /// <summary>The continuation's log-probability summed over its tokens: a local model, or a server that echoes the prompt
    /// with its log-probabilities.</summary>
    Logprobs,

    /// <summary>The log-probability of one token naming the continuation (its first word after the continuations' common
    /// prefix, e.g. "A" of " (A)") among the top log-probabilities of the first generated token; a floor when it is not
    /// among them.</summary>
    TopLogprobs,

    /// <summary>ln of the fraction of sampled replies that chose the continuation; <see cref="ContinuationScore.TokenCount"/>
    /// is then the number of those votes.</summary>
    Votes,
}

/// <summary>Log-probability of one continuation given its prompt.</summary>
/// <param name="LogProb">Sum of the token log-probabilities of the continuation.</param>
/// <param name="TokenCount">Number of continuation tokens.</param>
public sealed record ContinuationScore(double LogProb, int TokenCount)
{
    /// <summary>How the score was measured; <see cref="ScoringMethod.Logprobs"/> unless a served model cannot give them.</summary>
    public ScoringMethod Method { get; init; } = ScoringMethod.Logprobs;
}
