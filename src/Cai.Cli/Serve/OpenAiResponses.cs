using System.Text.Json;
using System.Text.Json.Serialization;
using Cai.Models.Generation;
using Cai.Models.Tokenization;

namespace Cai.Cli.Serve;

/// <summary>The JSON settings of the wire: snake_case names, nulls written (as OpenAI does) unless a type says otherwise.</summary>
public static class OpenAiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>Token counts of a request.</summary>
public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    public static Usage Of(int prompt, int completion) => new(prompt, completion, prompt + completion);
}

/// <summary>A /v1/chat/completions answer.</summary>
public sealed record ChatCompletion(string Id, long Created, string Model, string SystemFingerprint, IReadOnlyList<ChatChoice> Choices,
    Usage Usage)
{
    public string Object => "chat.completion";
}

public sealed record ChatChoice(int Index, ChatMessage Message, ChatLogprobs? Logprobs, string FinishReason);

public sealed record ChatMessage(string Role, string Content);

/// <summary>Log-probabilities of a chat choice's tokens.</summary>
public sealed record ChatLogprobs(IReadOnlyList<ChatTokenLogprob> Content);

/// <summary>A token, its log-probability, its UTF-8 bytes and the most likely tokens at its position.</summary>
public sealed record ChatTokenLogprob(string Token, double Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<ChatTopLogprob> TopLogprobs);

public sealed record ChatTopLogprob(string Token, double Logprob, IReadOnlyList<int> Bytes);

/// <summary>One server-sent event of a streamed chat completion.</summary>
public sealed record ChatCompletionChunk(string Id, long Created, string Model, string SystemFingerprint,
    IReadOnlyList<ChatChunkChoice> Choices, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Usage? Usage)
{
    public string Object => "chat.completion.chunk";
}

public sealed record ChatChunkChoice(int Index, ChatDelta Delta, ChatLogprobs? Logprobs, string? FinishReason);

/// <summary>What a chunk adds: the role in the first chunk of a choice, then content.</summary>
public sealed record ChatDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);

/// <summary>A /v1/completions answer, and each event of a streamed one (usage null until the last).</summary>
public sealed record Completion(string Id, long Created, string Model, string SystemFingerprint, IReadOnlyList<CompletionChoice> Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Usage? Usage)
{
    public string Object => "text_completion";
}

public sealed record CompletionChoice(int Index, string Text, CompletionLogprobs? Logprobs, string? FinishReason);

/// <summary>
/// The completions API's log-probabilities: per token its text, log-probability (null for the first prompt token,
/// which has no context), the most likely tokens with the chosen one (up to logprobs + 1 entries) and its character
/// offset in the choice's text.
/// </summary>
public sealed record CompletionLogprobs(IReadOnlyList<string> Tokens, IReadOnlyList<double?> TokenLogprobs,
    IReadOnlyList<IReadOnlyDictionary<string, double>?> TopLogprobs, IReadOnlyList<int> TextOffset);

/// <summary>/v1/models.</summary>
public sealed record ModelList(IReadOnlyList<ModelCard> Data)
{
    public string Object => "list";
}

/// <summary>A served model; max_model_len is how many tokens a prompt and its completion may have together.</summary>
public sealed record ModelCard(string Id, long Created, string OwnedBy, int MaxModelLen)
{
    public string Object => "model";
}

/// <summary>The wire form of log-probabilities: token text and bytes from the tokenizer.</summary>
public static class LogprobFormat
{
    /// <summary>The text of one token (a piece of a character decodes to U+FFFD).</summary>
    public static string Token(TextTokenizer tokenizer, int id) => tokenizer.Decode([id]);

    /// <summary>The chat form of <paramref name="logprobs"/>.</summary>
    public static ChatLogprobs Chat(TextTokenizer tokenizer, IEnumerable<TokenLogprob> logprobs) => new(logprobs.Select(l =>
    {
        string token = Token(tokenizer, l.TokenId);
        var top = l.Top.Select(t => (Text: Token(tokenizer, t.TokenId), t.Logprob))
            .Select(t => new ChatTopLogprob(t.Text, t.Logprob, Bytes(t.Text)));
        return new ChatTokenLogprob(token, l.Logprob, Bytes(token), [.. top]);
    }).ToList());

    /// <summary>
    /// The completions form: the prompt (<paramref name="promptIds"/>) first when echoed (its first token without a log-probability),
    /// then the generated tokens; offsets count characters of the token texts from <paramref name="offset"/>.
    /// </summary>
    public static CompletionLogprobs Completion(TextTokenizer tokenizer, IReadOnlyList<int>? promptIds,
        IReadOnlyList<TokenLogprob>? promptScores, IEnumerable<TokenLogprob> generated, int offset)
    {
        var tokens = new List<string>();
        var logprobs = new List<double?>();
        var tops = new List<IReadOnlyDictionary<string, double>?>();
        var offsets = new List<int>();
        void Add(int id, TokenLogprob? scored)
        {
            string token = Token(tokenizer, id);
            tokens.Add(token);
            offsets.Add(offset);
            offset += token.Length;
            logprobs.Add(scored?.Logprob);
            if (scored is null)
            {
                tops.Add(null);
                return;
            }
            var top = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (topId, topLogprob) in scored.Top) top.TryAdd(Token(tokenizer, topId), topLogprob);
            top.TryAdd(token, scored.Logprob);
            tops.Add(top);
        }
        if (promptIds is not null)
            for (int t = 0; t < promptIds.Count; t++) Add(promptIds[t], t == 0 ? null : promptScores![t - 1]);
        foreach (var l in generated) Add(l.TokenId, l);
        return new CompletionLogprobs(tokens, logprobs, tops, offsets);
    }

    private static List<int> Bytes(string text) => [.. System.Text.Encoding.UTF8.GetBytes(text).Select(b => (int)b)];
}
