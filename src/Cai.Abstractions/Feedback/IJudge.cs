namespace Cai.Abstractions.Feedback;

/// <summary>Labels pairs of responses with the probability that the first is preferred (AI feedback).</summary>
public interface IJudge
{
    /// <summary>Compares a batch: result[i] answers batch[i] and carries its item id.</summary>
    /// <param name="batch">The requests of one batch.</param>
    /// <param name="cancellationToken">Cancels the stage.</param>
    Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken);
}
