using Cai.Abstractions.Constitution;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Plugins;

/// <summary>What the runner supplies to instantiate a plugin for a stage.</summary>
/// <param name="Models">Text models by role ("policy", "feedback", ...).</param>
/// <param name="Constitution">The recipe's constitution.</param>
/// <param name="Seed">The plugin's seed in this stage.</param>
/// <param name="Logger">The plugin's logger.</param>
/// <param name="BindOptions">Binds the stage's with: to the plugin's options type (called again after a reload, whose type is new).</param>
public sealed record PluginActivation(
    IReadOnlyDictionary<string, ITextModel> Models, ConstitutionDocument Constitution, long Seed, ILogger Logger,
    Func<Type, PluginOptions> BindOptions)
{
    /// <summary>Creates member judges for ensemble judges (see <see cref="PluginContext.JudgeResolver"/>); null offers none.</summary>
    public Func<string, IJudge>? ResolveJudge { get; init; }

    /// <summary>The models named in provenance: distinct model names joined with '+', or null without models.</summary>
    public string? ModelName => Models.Count == 0 ? null : string.Join("+", Models.Values.Select(m => m.Name).Distinct());
}
