namespace Cai.Abstractions.Feedback;

/// <summary>Rewrites responses to follow a principle (the "revision" of SL-CAI).</summary>
public interface IReviser
{
    /// <summary>Revises a batch: result[i] answers batch[i] and carries its item id.</summary>
    /// <param name="batch">The requests of one batch.</param>
    /// <param name="cancellationToken">Cancels the stage.</param>
    Task<IReadOnlyList<Revision>> ReviseAsync(IReadOnlyList<RevisionRequest> batch, CancellationToken cancellationToken);
}
