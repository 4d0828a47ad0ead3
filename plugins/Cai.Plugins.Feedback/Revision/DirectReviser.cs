using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Revision;

/// <summary>Rewrites the response without a critique: the paper's ablation.</summary>
[CaiPlugin("direct", Description = "Revision without critique (ablation).")]
public sealed class DirectReviser(PluginContext context, ReviserOptions options) : ModelReviser(context, options)
{
    protected override bool UsesCritique => false;
}
