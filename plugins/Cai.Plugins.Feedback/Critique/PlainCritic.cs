using Cai.Abstractions.Plugins;

namespace Cai.Plugins.Feedback.Critique;

/// <summary>The principle's critique request as written.</summary>
[CaiPlugin("plain", Description = "Critique with the principle's own critique request.")]
public sealed class PlainCritic(PluginContext context, CriticOptions options) : ModelCritic(context, options);
