using Cai.Abstractions.Feedback;

namespace Cai.Core.Plugins;

/// <summary>
/// A judge plugin created for another plugin (an ensemble's member): it swaps in a rebuilt assembly at each batch,
/// names itself in failures, and disposing it disposes its handle.
/// </summary>
public sealed class MemberJudge(PluginHandle<IJudge> handle) : IJudge, IDisposable
{
    /// <summary>The member's handle (name and provenance).</summary>
    public PluginHandle<IJudge> Handle => handle;

    public Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        handle.RefreshIfChanged();
        return handle.InvokeAsync(judge => judge.CompareAsync(batch, cancellationToken), batch.Count > 0 ? batch[0].ItemId : null);
    }

    public void Dispose() => handle.Dispose();
}
