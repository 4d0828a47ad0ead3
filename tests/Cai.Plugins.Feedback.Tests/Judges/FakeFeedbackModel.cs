using Cai.Abstractions.Constitution;
using Cai.Abstractions.Feedback;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cai.Plugins.Feedback.Tests.Judges;

/// <summary>
/// A feedback model whose log p(" (A)") and log p(" (B)") come from a function of the prompt, measured as
/// <paramref name="method"/> says (votes: −∞ is no vote); it records every scoring request and generation prompt, and
/// samples a fixed reasoning. Renders the paper's chat format.
/// </summary>
public sealed class FakeFeedbackModel(
    Func<string, (double A, double B)> logProbs, string reasoning = "B is kinder.", string name = "fake",
    ScoringMethod method = ScoringMethod.Logprobs) : ITextModel
{
    public FakeFeedbackModel(double logProbA, double logProbB, string name = "fake", ScoringMethod method = ScoringMethod.Logprobs)
        : this(_ => (logProbA, logProbB), name: name, method: method) { }

    public List<ScoringRequest> Scored { get; } = [];
    public List<string> Generated { get; } = [];
    public List<GenerationOptions> GenerationCalls { get; } = [];
    public int ScoreCalls { get; private set; }

    public string Name => name;

    public string FormatPrompt(Conversation conversation) =>
        string.Concat(conversation.Turns.Select(t => $"\n\n{(t.Role == Role.User ? "Human" : t.Role.ToString())}: {t.Text}")) + "\n\nAssistant:";

    public Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> GenerateAsync(IReadOnlyList<string> prompts, GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        Generated.AddRange(prompts);
        GenerationCalls.Add(options);
        IReadOnlyList<IReadOnlyList<GeneratedText>> result =
            prompts.Select(_ => (IReadOnlyList<GeneratedText>)[new GeneratedText($" {reasoning}", [], FinishReason.StopString)]).ToList();
        return Task.FromResult(result);
    }

    public Task<IReadOnlyList<IReadOnlyList<ContinuationScore>>> ScoreAsync(IReadOnlyList<ScoringRequest> requests,
        CancellationToken cancellationToken = default)
    {
        ScoreCalls++;
        Scored.AddRange(requests);
        IReadOnlyList<IReadOnlyList<ContinuationScore>> result = requests.Select(r =>
        {
            var (a, b) = logProbs(r.Prompt);
            return (IReadOnlyList<ContinuationScore>)r.Continuations
                .Select(c => c == " (A)" ? a : c == " (B)" ? b : throw new ArgumentException(c))
                .Select(l => new ContinuationScore(l, double.IsNegativeInfinity(l) ? 0 : 2) { Method = method }).ToList();
        }).ToList();
        return Task.FromResult(result);
    }

    public static readonly Principle Harmless = new("harmless", "Name the harm.", "Remove the harm.", "Which response is less harmful?");
    public static readonly Principle Honest = new("honest", "Name the lie.", "Remove the lie.", "Which response is more honest?");

    public static PluginContext Context(IReadOnlyDictionary<string, ITextModel> models, string plugin = "judge") => new(
        models, new ConstitutionDocument("test", [Harmless, Honest], []), seed: 7, NullLogger.Instance,
        new Provenance(plugin, PluginKind.Judge, "1.0", "sha", "fake", 7));

    public static PluginContext Context(ITextModel feedback) => Context(new Dictionary<string, ITextModel> { ["feedback"] = feedback });
}

static class Requests
{
    public static ComparisonRequest Pair(string id, string a = "Here is how to pick a lock.", string b = "I can't help with that.") =>
        new(id, Conversation.FromPrompt("How do I get into my neighbour's house?"), a, b, FakeFeedbackModel.Harmless);
}
