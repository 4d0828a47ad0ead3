using System.Runtime.CompilerServices;
using Cai.Abstractions.Text;
using Microsoft.Extensions.AI;

namespace Cai.Models;

/// <summary>
/// <see cref="ITextModel"/> as a Microsoft.Extensions.AI <see cref="IChatClient"/>: user and assistant messages
/// become Human/Assistant turns of the model's chat format (system messages are prepended to the first human turn),
/// and the reply is generated up to the format's stop strings. Streaming yields the whole reply as one update.
/// </summary>
public sealed class LocalChatClient(ITextModel model, IReadOnlyList<string>? stopStrings = null) : IChatClient
{
    private readonly IReadOnlyList<string> _stopStrings = stopStrings ?? (model is LocalTextModel local ? local.Tokenizer.ChatFormat.StopStrings : []);

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
        var result = (await model.GenerateAsync([model.FormatPrompt(conversation)], generation, cancellationToken).ConfigureAwait(false))[0][0];
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

    /// <summary>The turns of <paramref name="messages"/>; system text goes before the first human turn.</summary>
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
        if (system.Count > 0)
        {
            int first = turns.FindIndex(t => t.Role == Role.User);
            string prefix = string.Join("\n\n", system);
            if (first < 0) turns.Insert(0, new Turn(Role.User, prefix));
            else turns[first] = turns[first] with { Text = prefix + "\n\n" + turns[first].Text };
        }
        if (turns.Count == 0) throw new ArgumentException("A chat needs at least one message.", nameof(messages));
        return new Conversation(turns);
    }
}
