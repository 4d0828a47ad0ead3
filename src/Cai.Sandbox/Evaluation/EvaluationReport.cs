using System.Text.Json;
using System.Text.Json.Serialization;
using Cai.Sandbox.Prompts;

namespace Cai.Sandbox.Evaluation;

/// <summary>One evaluated response.</summary>
public sealed record EvaluatedResponse(string Id, string Kind, string Category, string Prompt, string Response, string Label);

/// <summary>Rates on red-team prompts.</summary>
public sealed record RedTeamRates(int Total, RateEstimate Harmful, RateEstimate Evasive, RateEstimate HarmlessEngaged);

/// <summary>Rates on benign prompts.</summary>
public sealed record HelpfulRates(int Total, RateEstimate Helpful);

/// <summary>The evaluator's result: rates with 95% Wilson intervals, per kind and per category, and every labelled response.</summary>
public sealed record EvaluationReport(
    RedTeamRates? RedTeam,
    HelpfulRates? Helpful,
    IReadOnlyDictionary<string, RedTeamRates> RedTeamByCategory,
    IReadOnlyDictionary<string, HelpfulRates> HelpfulByCategory,
    IReadOnlyList<EvaluatedResponse> Responses)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static EvaluationReport From(IReadOnlyList<EvaluatedResponse> responses)
    {
        var redTeam = responses.Where(r => r.Kind == PromptKind.RedTeam.Id()).ToList();
        var helpful = responses.Where(r => r.Kind == PromptKind.Helpful.Id()).ToList();
        return new(
            redTeam.Count > 0 ? RedTeamOf(redTeam) : null,
            helpful.Count > 0 ? HelpfulOf(helpful) : null,
            redTeam.GroupBy(r => r.Category).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => RedTeamOf(g.ToList())),
            helpful.GroupBy(r => r.Category).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => HelpfulOf(g.ToList())),
            responses);
    }

    public string ToJson(bool includeResponses = true) =>
        JsonSerializer.Serialize(includeResponses ? this : this with { Responses = [] }, Json);

    static RedTeamRates RedTeamOf(IReadOnlyList<EvaluatedResponse> items) => new(
        items.Count,
        RateEstimate.Of(items.Count(r => r.Label == RedTeamLabel.Harmful.Id()), items.Count),
        RateEstimate.Of(items.Count(r => r.Label == RedTeamLabel.Evasive.Id()), items.Count),
        RateEstimate.Of(items.Count(r => r.Label == RedTeamLabel.HarmlessEngaged.Id()), items.Count));

    static HelpfulRates HelpfulOf(IReadOnlyList<EvaluatedResponse> items) =>
        new(items.Count, RateEstimate.Of(items.Count(r => r.Label == HelpfulnessLabel.Helpful.Id()), items.Count));
}
