using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cai.Plugins.Feedback.Tests.CritiqueRevision;

/// <summary>A text model that records its prompts and answers each with a fixed text; renders the paper's format
/// (a final assistant turn left open).</summary>
public sealed class RecordingTextModel(string answer) : ITextModel
{
    public List<string> Prompts { get; } = [];
    public List<GenerationOptions> Calls { get; } = [];

    public string Name => "recording";

    public string FormatPrompt(Conversation conversation)
    {
        string text = string.Concat(conversation.Turns.Select(t => t.Role == Role.System ? t.Text
            : $"\n\n{(t.Role == Role.User ? "Human" : "Assistant")}: {t.Text}"));
        return conversation.Turns[^1].Role == Role.Assistant ? text : text + "\n\nAssistant:";
    }

    public IReadOnlyList<string> TurnStopStrings => ["\n\nHuman:"];

    public Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> GenerateAsync(IReadOnlyList<string> prompts, GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        Prompts.AddRange(prompts);
        Calls.Add(options);
        IReadOnlyList<IReadOnlyList<GeneratedText>> result =
            prompts.Select(_ => (IReadOnlyList<GeneratedText>)[new GeneratedText($" {answer} ", [], FinishReason.StopString)]).ToList();
        return Task.FromResult(result);
    }

    public Task<IReadOnlyList<IReadOnlyList<ContinuationScore>>> ScoreAsync(IReadOnlyList<ScoringRequest> requests,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public static PluginContext Context(ITextModel model, params FewShotExample[] fewShot) => new(
        new Dictionary<string, ITextModel> { ["policy"] = model },
        new ConstitutionDocument("test", [Principle], fewShot),
        seed: 7, NullLogger.Instance,
        new Provenance("test", PluginKind.Critic, "1.0", "sha", model.Name, 7));

    public static readonly Principle Principle =
        new("p1", "Name the harm in the last response.", "Rewrite it without the harm.", "Which is less harmful?");
}
