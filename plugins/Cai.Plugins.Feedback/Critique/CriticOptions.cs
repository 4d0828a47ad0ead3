using Cai.Plugins.Feedback.Generation;

namespace Cai.Plugins.Feedback.Critique;

/// <summary>Options of the built-in critics.</summary>
public sealed record CriticOptions : ModelCallOptions;
