namespace Cai.Abstractions.Text;

/// <summary>
/// A language model that critics, revisers and judges call. Batch-first: pass every prompt of a batch in one call.
/// Implemented by local TorchSharp models (Cai.Models) and by remote endpoints.
/// </summary>
public interface ITextModel
{
    /// <summary>Identifies the model in provenance records (for example its checkpoint path and hash).</summary>
    string Name { get; }

    /// <summary>
    /// Renders a conversation in this model's chat format. After a user turn it ends with the cue for the assistant's
    /// turn; a final assistant turn is left open for the model to continue.
    /// </summary>
    /// <param name="conversation">The turns so far.</param>
    string FormatPrompt(Conversation conversation);

    /// <summary>
    /// Strings that end the assistant's turn in this model's chat format (the cue of the next human turn). Stages and
    /// plugins that sample an assistant turn stop there. None by default.
    /// </summary>
    IReadOnlyList<string> TurnStopStrings => [];

    /// <summary>Samples continuations: result[i] holds options.NumReturnSequences continuations of prompts[i].</summary>
    /// <param name="prompts">Raw prompt texts (already formatted).</param>
    /// <param name="options">Sampling options.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> GenerateAsync(
        IReadOnlyList<string> prompts, GenerationOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Samples the assistant's next turn of each conversation: result[i] holds options.NumReturnSequences replies to
    /// conversations[i]. Generation stops at the turn's end (<see cref="TurnStopStrings"/>) as well as at
    /// options.StopStrings. The default renders with <see cref="FormatPrompt"/> and calls <see cref="GenerateAsync"/>;
    /// chat endpoints override it to send the turns as messages.
    /// </summary>
    /// <param name="conversations">The dialogues so far.</param>
    /// <param name="options">Sampling options.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> ChatAsync(
        IReadOnlyList<Conversation> conversations, GenerationOptions options, CancellationToken cancellationToken = default) =>
        GenerateAsync([.. conversations.Select(FormatPrompt)],
            options with { StopStrings = [.. options.StopStrings.Union(TurnStopStrings)] }, cancellationToken);

    /// <summary>Log-probabilities of continuations: result[i][j] scores requests[i].Continuations[j].</summary>
    /// <param name="requests">Prompts with their continuations.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    Task<IReadOnlyList<IReadOnlyList<ContinuationScore>>> ScoreAsync(
        IReadOnlyList<ScoringRequest> requests, CancellationToken cancellationToken = default);
}
