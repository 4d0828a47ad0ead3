using Cai.Abstractions.Text;
using Cai.Plugins.Feedback.Judging;

namespace Cai.Plugins.Feedback.Judges;

/// <summary>Scores " (A)" and " (B)" after each prompt in one batched call and normalises them to P(A).</summary>
public static class ChoiceScores
{
    /// <summary>P(A)[i] = σ(log p(" (A)" | prompts[i]) − log p(" (B)" | prompts[i])).</summary>
    public static async Task<double[]> ProbabilitiesOfA(ITextModel model, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        var requests = prompts.Select(p => new ScoringRequest(p, [ComparisonQuestion.AnswerA, ComparisonQuestion.AnswerB])).ToList();
        var scores = await model.ScoreAsync(requests, cancellationToken);
        if (scores.Count != prompts.Count)
            throw new InvalidOperationException($"model '{model.Name}' scored {scores.Count} prompts, expected {prompts.Count}");
        var result = new double[prompts.Count];
        for (int i = 0; i < result.Length; i++)
        {
            if (scores[i].Count != 2)
                throw new InvalidOperationException($"model '{model.Name}' returned {scores[i].Count} scores for the two answers");
            result[i] = ChoiceProbability.OfA(scores[i][0].LogProb, scores[i][1].LogProb);
        }
        return result;
    }
}
