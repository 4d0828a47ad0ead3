using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Critique;

/// <summary>Asks the critic to find any issue at all, however small.</summary>
[CaiPlugin("strict", Description = "Critique that looks for ANY issue with the response.")]
public sealed class StrictCritic(PluginContext context, CriticOptions options) : ModelCritic(context, options)
{
    protected override string Request(Principle principle) =>
        $"Find ANY issue with the last response, however small. {principle.CritiqueRequest}";
}
