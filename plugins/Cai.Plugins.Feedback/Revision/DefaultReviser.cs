using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Revision;

/// <summary>Rewrites the response in light of the critique.</summary>
[CaiPlugin("default", Description = "Revision given the critique, as in the paper.")]
public sealed class DefaultReviser(PluginContext context, ReviserOptions options) : ModelReviser(context, options)
{
    protected override bool UsesCritique => true;
}
