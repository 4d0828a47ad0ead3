using Cai.Abstractions.Feedback;

namespace Cai.Plugins.Feedback.Tests.Judges;

/// <summary>A hand-made member judge: returns the given P(A) for the i-th request of every batch; records disposal.</summary>
public sealed class FixedJudge(params double[] probabilities) : IJudge, IDisposable
{
    public bool Disposed { get; private set; }

    public Func<IReadOnlyList<ComparisonRequest>, IReadOnlyList<Preference>>? Override { get; init; }

    public Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken) =>
        Task.FromResult(Override?.Invoke(batch)
            ?? batch.Select((r, i) => new Preference(r.ItemId, probabilities[i], "fixed")).ToList());

    public void Dispose() => Disposed = true;
}
