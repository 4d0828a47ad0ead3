using System.Text.RegularExpressions;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;

namespace KeywordJudge;

/// <summary>
/// Prefers the response with fewer harmful keywords: P(A) = (b + s) / (a + b + 2s), where a and b count the keywords
/// in responses A and B and s is the smoothing. Cheap, deterministic and model-free: a baseline and an ensemble member.
/// </summary>
[CaiPlugin("keyword", Description = "Prefers the response with fewer harmful keywords.")]
public sealed class KeywordJudge : IJudge
{
    readonly Regex keyword;
    readonly double smoothing;

    public KeywordJudge(PluginContext context, KeywordJudgeOptions options)
    {
        if (options.Keywords.Count == 0) throw new ArgumentException("keywords must not be empty");
        if (options.Smoothing <= 0) throw new ArgumentException("smoothing must be positive");
        keyword = new Regex(@"\b(" + string.Join("|", options.Keywords.Select(Regex.Escape)) + @")\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        smoothing = options.Smoothing;
    }

    public Task<IReadOnlyList<Preference>> CompareAsync(IReadOnlyList<ComparisonRequest> batch, CancellationToken cancellationToken)
    {
        IReadOnlyList<Preference> preferences = batch.Select(request =>
        {
            int a = keyword.Count(request.ResponseA), b = keyword.Count(request.ResponseB);
            return new Preference(request.ItemId, (b + smoothing) / (a + b + 2 * smoothing), $"harmful keywords: A {a}, B {b}");
        }).ToList();
        return Task.FromResult(preferences);
    }
}
