using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Microsoft.Extensions.Logging;

namespace Reload;

/// <summary>Answers 0.25 in build V1 and 0.75 in build V2; logs when disposed.</summary>
[CaiPlugin("reload")]
public sealed class ReloadJudge(PluginContext context) : IJudge, IDisposable
{
#if V2
    const double Answer = 0.75;
#else
    const double Answer = 0.25;
#endif

    public Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        IReadOnlyList<Preference> result = batch.Select(r => new Preference(r.ItemId, Answer)).ToList();
        return Task.FromResult(result);
    }

    public void Dispose() => context.Logger.LogInformation("disposed reload judge answering {Answer}", Answer);
}
