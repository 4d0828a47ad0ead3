using System.Runtime.CompilerServices;
using Cai.Abstractions.Text;
using Microsoft.Extensions.AI;

namespace Cai.Models;

/// <summary>
/// <see cref="ITextModel"/> as a Microsoft.Extensions.AI <see cref="IChatClient"/>: the messages become a
/// conversation (system messages its first turn) that the model answers through <see cref="ITextModel.ChatAsync"/>,
/// so its chat format renders it and the reply stops at the end of the turn (and at <paramref name="stopStrings"/>).
/// Streaming yields the whole reply as one update.
/// </summary>
public sealed class LocalChatClient(ITextModel model, IReadOnlyList<string>? stopStrings = null) : IChatClient
{
    private readonly IReadOnlyList<string> _stopStrings = stopStrings ?? [];

    /// <summary>The wrapped model.</summary>
    public ITextModel Model => model;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var conversation = ToConversation(messages);
        var generation = new GenerationOptions
        {
            MaxNewTokens = options?.MaxOutputTokens ?? 256,
            Temperature = options?.Temperature ?? 1.0f,
            TopP = options?.TopP ?? 1.0f,
            TopK = options?.TopK ?? 0,
            Seed = options?.Seed ?? 42,
            StopStrings = [.. _stopStrings, .. options?.StopSequences ?? []],
        };
        var result = (await model.ChatAsync([conversation], generation, cancellationToken).ConfigureAwait(false))[0][0];
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text.Trim()))
        {
            ModelId = model.Name,
            FinishReason = result.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop,
            Usage = new UsageDetails { OutputTokenCount = result.TokenIds.Count },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceKey is null && serviceType.IsInstanceOfType(model) ? model
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("Cai.Models", defaultModelId: model.Name)
        : null;

    public void Dispose()
    {
    }

    /// <summary>The turns of <paramref name="messages"/>; system messages, joined by blank lines, are the first turn.</summary>
    public static Conversation ToConversation(IEnumerable<ChatMessage> messages)
    {
        var turns = new List<Turn>();
        var system = new List<string>();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System) system.Add(message.Text);
            else if (message.Role == ChatRole.User) turns.Add(new Turn(Role.User, message.Text));
            else if (message.Role == ChatRole.Assistant) turns.Add(new Turn(Role.Assistant, message.Text));
            else throw new NotSupportedException($"Chat role {message.Role} is not supported (system, user, assistant).");
        }
        if (turns.Count == 0) throw new ArgumentException("A chat needs at least one user or assistant message.", nameof(messages));
        if (system.Count > 0) turns.Insert(0, new Turn(Role.System, string.Join("\n\n", system)));
        return new Conversation(turns);
    }
}
