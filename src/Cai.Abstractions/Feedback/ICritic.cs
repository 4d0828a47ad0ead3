namespace Cai.Abstractions.Feedback;

/// <summary>Writes critiques of responses under principles of the constitution (the "critique" of SL-CAI).</summary>
public interface ICritic
{
    /// <summary>Critiques a batch: result[i] answers batch[i] and carries its item id.</summary>
    /// <param name="batch">The requests of one batch.</param>
    /// <param name="cancellationToken">Cancels the stage.</param>
    Task<IReadOnlyList<Critique>> CritiqueAsync(IReadOnlyList<CritiqueRequest> batch, CancellationToken cancellationToken);
}
