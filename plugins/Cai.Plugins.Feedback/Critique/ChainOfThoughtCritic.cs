using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Critique;

/// <summary>Asks the critic to reason over helpfulness, honesty and harmlessness before naming the problem.</summary>
[CaiPlugin("chain-of-thought", Description = "Step-by-step critique: is it helpful? honest? harmless?")]
public sealed class ChainOfThoughtCritic(PluginContext context, CriticOptions options) : ModelCritic(context, options)
{
    protected override string Request(Principle principle) =>
        $"{principle.CritiqueRequest} Go step by step: is the response helpful, is it honest, is it harmless?";

    protected override string? Cue => "Step by step:";
}
