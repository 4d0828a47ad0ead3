using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>Scores " (A)" and " (B)" after each prompt in one batched call and normalises them to P(A).</summary>
public static class ChoiceScores
{
    /// <summary>P(A) of one prompt and how the model measured the scores behind it.</summary>
    public readonly record struct Label(double ProbabilityA, ScoringMethod Method);

    /// <summary>
    /// P(A)[i] = σ(log p(" (A)" | prompts[i]) − log p(" (B)" | prompts[i])), whichever way the model measured them: with
    /// sampled votes this is the fraction of the votes for (A) or (B) that chose (A), and 0.5 when no reply chose either.
    /// </summary>
    public static async Task<Label[]> ProbabilitiesOfA(
        ITextModel model, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        var requests = prompts.Select(p => new ScoringRequest(p, [ComparisonQuestion.AnswerA, ComparisonQuestion.AnswerB])).ToList();
        var scores = await model.ScoreAsync(requests, cancellationToken);
        if (scores.Count != prompts.Count)
            throw new InvalidOperationException($"model '{model.Name}' scored {scores.Count} prompts, expected {prompts.Count}");
        var result = new Label[prompts.Count];
        for (int i = 0; i < result.Length; i++)
        {
            if (scores[i] is not [var a, var b])
                throw new InvalidOperationException($"model '{model.Name}' returned {scores[i].Count} scores for the two answers");
            bool noVotes = a.Method == ScoringMethod.Votes && a.TokenCount + b.TokenCount == 0;
            result[i] = new Label(noVotes ? 0.5 : ChoiceProbability.OfA(a.LogProb, b.LogProb), a.Method);
        }
        return result;
    }
}

/// <summary>
/// P(A) from the scores of the answer tokens " (A)" and " (B)", normalised over those two options only:
/// softmax([a, b])[0] = σ(a − b). Log-probabilities and logits give the same result (they differ by a constant).
/// </summary>
public static class ChoiceProbability
{
    /// <summary>P(A) = σ(scoreA − scoreB), computed without overflow.</summary>
    /// <exception cref="ArgumentException">A score is NaN, or both are infinite with the same sign (no usable preference).</exception>
    public static double OfA(double scoreA, double scoreB)
    {
        if (double.IsNaN(scoreA) || double.IsNaN(scoreB))
            throw new ArgumentException("Choice scores must not be NaN.");
        if (double.IsInfinity(scoreA) && scoreA == scoreB)
            throw new ArgumentException($"Both choice scores are {scoreA}: the options cannot be compared.");
        return Sigmoid(scoreA - scoreB);
    }

    /// <summary>P(A) for each item of a batch.</summary>
    public static double[] OfA(ReadOnlySpan<double> scoresA, ReadOnlySpan<double> scoresB)
    {
        if (scoresA.Length != scoresB.Length)
            throw new ArgumentException($"Got {scoresA.Length} scores for (A) but {scoresB.Length} for (B).");
        var result = new double[scoresA.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = OfA(scoresA[i], scoresB[i]);
        return result;
    }

    /// <summary>Logistic function; exp is only taken of non-positive numbers.</summary>
    internal static double Sigmoid(double x)
    {
        if (x >= 0)
            return 1.0 / (1.0 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }
}
