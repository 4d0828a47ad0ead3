using System.Text;
using System.Text.Json;
using Cai.Abstractions.Text;
using Cai.Models.Generation;

namespace Cai.Cli.Serve;

/// <summary>
/// Fields both generation endpoints take, under OpenAI's names (snake_case on the wire). Unknown fields are ignored,
/// as OpenAI does. Extensions (as vLLM has them): <c>top_k</c> and <c>ignore_eos</c>.
/// </summary>
public abstract record GenerationRequestBody
{
    public string? Model { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public int? MaxTokens { get; init; }
    public JsonElement? Stop { get; init; }
    public long? Seed { get; init; }
    public int? N { get; init; }
    public bool? Stream { get; init; }
    public StreamOptionsBody? StreamOptions { get; init; }
    public bool? IgnoreEos { get; init; }
    public double? FrequencyPenalty { get; init; }
    public double? PresencePenalty { get; init; }
    public JsonElement? LogitBias { get; init; }
}

/// <summary>stream_options.</summary>
public sealed record StreamOptionsBody
{
    public bool? IncludeUsage { get; init; }
}

/// <summary>A /v1/chat/completions request.</summary>
public sealed record ChatCompletionRequest : GenerationRequestBody
{
    public List<ChatMessageBody?>? Messages { get; init; }
    public int? MaxCompletionTokens { get; init; }
    public bool? Logprobs { get; init; }
    public int? TopLogprobs { get; init; }
    public JsonElement? Tools { get; init; }
    public JsonElement? ResponseFormat { get; init; }
}

/// <summary>One chat message: content is a string or a list of {"type": "text", "text"} parts.</summary>
public sealed record ChatMessageBody
{
    public string? Role { get; init; }
    public JsonElement? Content { get; init; }
}

/// <summary>A /v1/completions request: prompt is a string, a list of strings, a list of token ids or a list of such lists.</summary>
public sealed record CompletionRequest : GenerationRequestBody
{
    public JsonElement? Prompt { get; init; }
    public int? Logprobs { get; init; }
    public bool? Echo { get; init; }
}

/// <summary>One prompt of a request, encoded, with the most new tokens its sequences may have.</summary>
/// <param name="Text">The prompt text (decoded from the ids when the client sent ids).</param>
/// <param name="Ids">Its tokens.</param>
/// <param name="MaxTokens">Most new tokens of each of its sequences (0: none, echo only).</param>
public sealed record PlannedPrompt(string Text, IReadOnlyList<int> Ids, int MaxTokens);

/// <summary>
/// A checked generation request: its prompts and how to sample, stop and answer. Choice i * N + j is sample j of
/// prompt i, drawn from the sequence seed of (prompt i's seed, j), where prompt i's seed is
/// <see cref="SamplingSeeds.PromptSeed"/>(Seed, i): the tokens `cai generate --seed Seed --batch N` gives.
/// </summary>
public sealed record GenerationPlan
{
    /// <summary>Most samples per prompt (n).</summary>
    public const int MaxN = 128;

    /// <summary>Most top_logprobs (chat) or logprobs (completions).</summary>
    public const int MaxTopLogprobs = 20;

    /// <summary>Most stop strings.</summary>
    public const int MaxStopStrings = 16;

    /// <summary>max_tokens of a completions request that gives none (OpenAI's default), capped by the context.</summary>
    public const int DefaultCompletionTokens = 16;

    public required IReadOnlyList<PlannedPrompt> Prompts { get; init; }
    public int N { get; init; } = 1;
    public SamplingSettings Sampling { get; init; } = new();
    /// <summary>The client's stop strings and, for chat, the chat format's turn stops.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    public long Seed { get; init; }
    /// <summary>Null: no log-probabilities; k: the chosen token's and the k most likely at each position.</summary>
    public int? TopLogprobs { get; init; }
    public bool Echo { get; init; }
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }
    public bool IgnoreEos { get; init; }

    /// <summary>Choices in the answer.</summary>
    public int Choices => Prompts.Count * N;

    /// <summary>The sequence of choice <paramref name="choice"/> to decode (its prompt must have MaxTokens &gt; 0).</summary>
    public DecodeRequest Request(int choice)
    {
        int p = choice / N, j = choice % N;
        return new DecodeRequest(Prompts[p].Ids, SamplingSeeds.SequenceSeed(SamplingSeeds.PromptSeed(Seed, p), j))
        {
            MaxNewTokens = Prompts[p].MaxTokens,
            Sampling = Sampling,
            StopStrings = StopStrings,
            TopLogprobs = TopLogprobs,
            IgnoreEos = IgnoreEos,
        };
    }

    /// <summary>Checks a chat request against the served model.</summary>
    public static GenerationPlan ForChat(ChatCompletionRequest body, ServedModel model)
    {
        var plan = Common(body, model);
        if (body.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0)
            throw Unsupported("tools", "are not supported: cai serve has no tool calls.");
        if (body.ResponseFormat is { ValueKind: JsonValueKind.Object } format
            && !(format.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "text"))
            throw Unsupported("response_format", "is supported only as {\"type\": \"text\"}.");
        string text = model.RenderChat(Messages(body.Messages));
        var ids = model.Tokenizer.Encode(text);
        if (body.TopLogprobs is not null && body.Logprobs != true)
            throw ApiException.BadParameter("top_logprobs", "top_logprobs needs logprobs set to true.");
        int? top = body.Logprobs == true ? Range("top_logprobs", body.TopLogprobs ?? 0, 0, MaxTopLogprobs) : null;
        bool maxCompletion = body.MaxCompletionTokens is not null;
        int? maxTokens = body.MaxCompletionTokens ?? body.MaxTokens;
        string maxParam = maxCompletion ? "max_completion_tokens" : "max_tokens";
        if (maxTokens is int m && m < 1) throw ApiException.BadParameter(maxParam, $"{maxParam} must be at least 1, got {m}.");
        var prompt = Fit(new PlannedPrompt(text, ids, maxTokens ?? model.MaxModelLength - ids.Count), maxTokens is not null, "messages",
            maxParam, model, allowNone: false);
        var stops = plan.StopStrings.Concat(model.TurnStopStrings).Distinct().ToList();
        return plan with { Prompts = [prompt], StopStrings = stops, TopLogprobs = top };
    }

    /// <summary>Checks a completions request against the served model.</summary>
    public static GenerationPlan ForCompletion(CompletionRequest body, ServedModel model)
    {
        var plan = Common(body, model);
        bool echo = body.Echo ?? false;
        int? top = body.Logprobs is int k ? Range("logprobs", k, 0, MaxTopLogprobs) : null;
        if (body.MaxTokens is int m && m < 0) throw ApiException.BadParameter("max_tokens", $"max_tokens must be at least 0, got {m}.");
        var prompts = PromptList(body.Prompt, model)
            .Select(p => Fit(p with { MaxTokens = body.MaxTokens ?? Math.Min(DefaultCompletionTokens, model.MaxModelLength - p.Ids.Count) },
                body.MaxTokens is not null, "prompt", "max_tokens", model, allowNone: true))
            .ToList();
        if (prompts.Count * plan.N > MaxN)
            throw ApiException.BadParameter("n", $"{prompts.Count} prompts with n = {plan.N} make {prompts.Count * plan.N} choices; "
                + $"at most {MaxN}.");
        return plan with { Prompts = prompts, TopLogprobs = top, Echo = echo };
    }

    /// <summary>The model and the sampling fields; prompts come after.</summary>
    private static GenerationPlan Common(GenerationRequestBody body, ServedModel model)
    {
        if (string.IsNullOrEmpty(body.Model))
            throw ApiException.BadParameter("model", "You must provide a model parameter.", "missing_required_parameter");
        if (body.Model != model.Name) throw ApiException.UnknownModel(body.Model, model.Name);
        if (body.FrequencyPenalty is double f && f != 0) throw Unsupported("frequency_penalty", "is not supported (only 0).");
        if (body.PresencePenalty is double p && p != 0) throw Unsupported("presence_penalty", "is not supported (only 0).");
        if (body.LogitBias is { ValueKind: JsonValueKind.Object } bias && bias.EnumerateObject().Any())
            throw Unsupported("logit_bias", "is not supported.");
        double temperature = body.Temperature ?? 1.0;
        if (!(temperature >= 0 && temperature <= 2))
            throw ApiException.BadParameter("temperature", $"temperature must be in [0, 2], got {Show(temperature)}.");
        double topP = body.TopP ?? 1.0;
        if (!(topP > 0 && topP <= 1)) throw ApiException.BadParameter("top_p", $"top_p must be in (0, 1], got {Show(topP)}.");
        int topK = body.TopK ?? 0;
        if (topK < -1) throw ApiException.BadParameter("top_k", $"top_k must be -1 or 0 (off) or a positive number of tokens, got {topK}.");
        int n = Range("n", body.N ?? 1, 1, MaxN);
        return new GenerationPlan
        {
            Prompts = [],
            N = n,
            Sampling = new SamplingSettings((float)temperature, Math.Max(topK, 0), (float)topP),
            StopStrings = StopList(body.Stop),
            Seed = body.Seed ?? Random.Shared.NextInt64(),
            Stream = body.Stream ?? false,
            IncludeUsage = body.StreamOptions?.IncludeUsage ?? false,
            IgnoreEos = body.IgnoreEos ?? false,
        };
    }

    /// <summary>Refuses a prompt whose tokens and new tokens exceed the served context.</summary>
    private static PlannedPrompt Fit(PlannedPrompt prompt, bool explicitMax, string promptParam, string maxParam, ServedModel model,
        bool allowNone)
    {
        int context = model.MaxModelLength, tokens = prompt.Ids.Count;
        if (tokens == 0) throw ApiException.BadParameter(promptParam, "The prompt has no tokens.");
        if (tokens > context || (tokens == context && !allowNone))
            throw new ApiException(400, $"This model's maximum context length is {context} tokens; the prompt has {tokens} tokens"
                + (tokens > context ? "." : ", which leaves none to generate."),
                "invalid_request_error", promptParam, "context_length_exceeded");
        if (tokens + prompt.MaxTokens > context)
            throw new ApiException(400, $"This model's maximum context length is {context} tokens; "
                + $"you requested {tokens + prompt.MaxTokens} tokens ({tokens} in the prompt, {prompt.MaxTokens} in {maxParam}).",
                "invalid_request_error", explicitMax ? maxParam : promptParam, "context_length_exceeded");
        return prompt;
    }

    /// <summary>The request's messages as a conversation; system (and developer) messages, joined, are its first turn.</summary>
    private static Conversation Messages(IReadOnlyList<ChatMessageBody?>? messages)
    {
        if (messages is null || messages.Count == 0)
            throw ApiException.BadParameter("messages", "messages must be a non-empty list.", "missing_required_parameter");
        var system = new StringBuilder();
        var turns = new List<Turn>();
        for (int i = 0; i < messages.Count; i++)
        {
            string param = $"messages[{i}]";
            var message = messages[i] ?? throw ApiException.BadParameter(param, $"{param} must be an object.");
            string content = Content(message.Content, param + ".content");
            switch (message.Role)
            {
                case "system" or "developer":
                    if (turns.Count > 0)
                        throw ApiException.BadParameter(param + ".role", "System messages must come before user and assistant messages.");
                    system.Append(content);
                    break;
                case "user":
                    turns.Add(new Turn(Role.User, content));
                    break;
                case "assistant":
                    turns.Add(new Turn(Role.Assistant, content));
                    break;
                case null:
                    throw ApiException.BadParameter(param + ".role", $"{param} has no role.", "missing_required_parameter");
                default:
                    throw ApiException.BadParameter(param + ".role",
                        $"The role '{message.Role}' is not supported (system, user, assistant).");
            }
        }
        if (turns.Count == 0) throw ApiException.BadParameter("messages", "messages must hold at least one user or assistant message.");
        if (system.Length > 0) turns.Insert(0, new Turn(Role.System, system.ToString()));
        return new Conversation(turns);
    }

    private static string Content(JsonElement? content, string param)
    {
        switch (content)
        {
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString()!;
            case { ValueKind: JsonValueKind.Array } parts:
                var text = new StringBuilder();
                int k = 0;
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type)
                        || type.ValueKind != JsonValueKind.String)
                        throw ApiException.BadParameter($"{param}[{k}]", "A content part must be an object with a \"type\".");
                    if (type.GetString() != "text" || !part.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                        throw ApiException.BadParameter($"{param}[{k}]",
                            $"Only text content parts are supported, got '{type.GetString()}'.");
                    text.Append(t.GetString());
                    k++;
                }
                return text.ToString();
            default:
                throw ApiException.BadParameter(param, "content must be a string or a list of text parts.");
        }
    }

    private static List<PlannedPrompt> PromptList(JsonElement? prompt, ServedModel model)
    {
        var tokenizer = model.Tokenizer;
        int vocab = Math.Min(tokenizer.VocabSize, model.Text.Model.Config.VocabSize);
        const string shapes = "prompt must be a string, a list of strings, a list of token ids or a list of token-id lists.";
        PlannedPrompt FromIds(JsonElement ids, string param)
        {
            var list = new List<int>();
            foreach (var id in ids.EnumerateArray())
            {
                if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out int v) || v < 0 || v >= vocab)
                    throw ApiException.BadParameter(param, $"{param} holds {id.GetRawText()}, not a token id in [0, {vocab}).");
                list.Add(v);
            }
            return new PlannedPrompt(tokenizer.Decode(list), list, 0);
        }
        PlannedPrompt FromText(string text) => new(text, tokenizer.Encode(text), 0);

        switch (prompt)
        {
            case { ValueKind: JsonValueKind.String } s:
                return [FromText(s.GetString()!)];
            case { ValueKind: JsonValueKind.Array } list when list.GetArrayLength() > 0:
                var first = list[0];
                if (first.ValueKind == JsonValueKind.Number) return [FromIds(list, "prompt")];
                var prompts = new List<PlannedPrompt>();
                int i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    prompts.Add(item.ValueKind switch
                    {
                        JsonValueKind.String when first.ValueKind == JsonValueKind.String => FromText(item.GetString()!),
                        JsonValueKind.Array when first.ValueKind == JsonValueKind.Array => FromIds(item, $"prompt[{i}]"),
                        _ => throw ApiException.BadParameter($"prompt[{i}]", shapes),
                    });
                    i++;
                }
                return prompts;
            case null or { ValueKind: JsonValueKind.Null }:
                throw ApiException.BadParameter("prompt", "You must provide a prompt.", "missing_required_parameter");
            default:
                throw ApiException.BadParameter("prompt", shapes);
        }
    }

    private static List<string> StopList(JsonElement? stop)
    {
        switch (stop)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return [];
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString()!.Length > 0 ? [s.GetString()!] : [];
            case { ValueKind: JsonValueKind.Array } list:
                if (list.GetArrayLength() > MaxStopStrings)
                    throw ApiException.BadParameter("stop", $"stop holds at most {MaxStopStrings} strings, got {list.GetArrayLength()}.");
                var stops = new List<string>();
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                        throw ApiException.BadParameter("stop", "stop must be a string or a list of strings.");
                    if (item.GetString()!.Length > 0) stops.Add(item.GetString()!);
                }
                return stops;
            default:
                throw ApiException.BadParameter("stop", "stop must be a string or a list of strings.");
        }
    }

    /// <summary>400 for an OpenAI parameter the server does not implement: refused rather than ignored.</summary>
    private static ApiException Unsupported(string param, string problem) =>
        ApiException.BadParameter(param, $"{param} {problem}", "unsupported_parameter");

    private static int Range(string param, int value, int min, int max) =>
        value >= min && value <= max ? value : throw ApiException.BadParameter(param, $"{param} must be in [{min}, {max}], got {value}.");

    private static string Show(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
