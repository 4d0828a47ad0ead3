using Cai.Plugins.Feedback.Generation;

namespace Cai.Plugins.Feedback.Revision;

/// <summary>Options of the built-in revisers. A revision is a whole response: max_new_tokens defaults to 96.</summary>
public sealed record ReviserOptions : ModelCallOptions
{
    public ReviserOptions() => MaxNewTokens = 96;
}
