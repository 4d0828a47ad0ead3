using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Core.Recipes;
using Cai.Core.Recipes.Yaml;
using Cai.Models.IO;
using Cai.Models.Tokenization;

namespace Cai.Core.Pipeline;

/// <summary>
/// A text model served over the OpenAI HTTP API (<c>cai serve</c>, vLLM, TGI, Ollama, llama.cpp's server). Generation
/// and scoring use /completions (scoring: the prompt and continuation echoed with their log-probabilities, the
/// continuation's tokens found from the end of the echo; or, as the recipe's <c>scoring</c> says, single-token labels'
/// top log-probabilities or sampled votes); assistant turns use /chat/completions when the recipe says
/// <c>chat: true</c>. Plain HttpClient and System.Text.Json, not Microsoft.Extensions.AI: its chat abstraction has no
/// echo, prompt log-probabilities or text offsets, and the cache needs the exact request body.
/// <para>
/// Every request goes through <see cref="SendAsync"/>: at most <see cref="RemoteModel.MaxConcurrency"/> in flight, each
/// with its own timeout, retried on 429, 5xx, timeouts, reset connections and malformed answers with exponential
/// backoff and full jitter (a Retry-After header wins), and answered from the request cache in
/// <see cref="CacheDirectory"/> when the same body was answered before (so a resumed stage does not send it again), or
/// shared with an identical request in flight.
/// </para>
/// </summary>
public sealed class RemoteTextModel : ITextModel, IDisposable
{
    /// <summary>The folder under a stage's folder that holds its request cache.</summary>
    public const string CacheFolder = "remote-cache";

    /// <summary>The longest wait between two attempts, whatever the backoff or a Retry-After header says.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    readonly RemoteModel _spec;
    readonly HttpClient _http;
    readonly SemaphoreSlim _slots;
    readonly ChatFormat _format;
    readonly string? _apiKey;
    readonly Uri _base;
    readonly ConcurrentDictionary<string, Lazy<Task<string>>> _inFlight = new();
    long _sent, _cached, _retries, _promptTokens, _completionTokens;

    /// <param name="spec">The recipe's entry.</param>
    /// <param name="handler">The HTTP handler (tests); a SocketsHttpHandler by default.</param>
    public RemoteTextModel(RemoteModel spec, HttpMessageHandler? handler = null)
    {
        _spec = spec;
        _base = new Uri(spec.Endpoint.TrimEnd('/') + "/");
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own timeout
        };
        _slots = new SemaphoreSlim(spec.MaxConcurrency);
        _format = new ChatFormat("\n\n", spec.ChatFormat.HumanPrefix, spec.ChatFormat.AssistantPrefix);
        _apiKey = spec.ApiKeyEnv is { } name ? Environment.GetEnvironmentVariable(name) : null;
    }

    /// <summary>model@endpoint.</summary>
    public string Name => _spec.Id;

    /// <summary>Where answered requests are kept (the running stage's remote-cache folder); null keeps none.</summary>
    public string? CacheDirectory { get; set; }

    public string FormatPrompt(Conversation conversation) => _format.Render(conversation);

    public IReadOnlyList<string> TurnStopStrings => _format.StopStrings;

    /// <summary>What this model's requests cost since the last call, and resets the counts.</summary>
    public RemoteUsage TakeUsage() => new(Interlocked.Exchange(ref _sent, 0), Interlocked.Exchange(ref _cached, 0),
        Interlocked.Exchange(ref _retries, 0), Interlocked.Exchange(ref _promptTokens, 0), Interlocked.Exchange(ref _completionTokens, 0));

    public async Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> GenerateAsync(
        IReadOnlyList<string> prompts, GenerationOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Seeds is { } seeds && seeds.Count != prompts.Count)
            throw new ArgumentException($"GenerationOptions.Seeds has {seeds.Count} seeds for {prompts.Count} prompts.", nameof(options));
        // One request per prompt with that prompt's seed: cai serve's sample j of (seed, n) is the local model's sample j.
        var answers = await Task.WhenAll(prompts.Select(async (prompt, i) =>
        {
            var body = Sampling(options, options.Seeds?[i] ?? PromptSeed(options.Seed, i));
            body["prompt"] = prompt;
            var response = await SendAsync("completions", body, cancellationToken).ConfigureAwait(false);
            return Choices(response, options.NumReturnSequences, c => (string?)c["text"], options.StopStrings);
        })).ConfigureAwait(false);
        return answers;
    }

    public async Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> ChatAsync(
        IReadOnlyList<Conversation> conversations, GenerationOptions options, CancellationToken cancellationToken = default)
    {
        // A final assistant turn is continued, which chat endpoints do not do: such calls, and every call of a completions
        // model, render the conversation as text.
        if (!_spec.Chat || conversations.Any(c => c.Turns.Count > 0 && c.Turns[^1].Role == Role.Assistant))
            return await GenerateAsync([.. conversations.Select(FormatPrompt)],
                options with { StopStrings = [.. options.StopStrings.Union(TurnStopStrings)] }, cancellationToken).ConfigureAwait(false);
        if (options.Seeds is { } seeds && seeds.Count != conversations.Count)
            throw new ArgumentException(
                $"GenerationOptions.Seeds has {seeds.Count} seeds for {conversations.Count} conversations.", nameof(options));
        return await Task.WhenAll(conversations.Select(async (conversation, i) =>
        {
            var body = Sampling(options, options.Seeds?[i] ?? PromptSeed(options.Seed, i));
            body["messages"] = Messages(conversation);
            var response = await SendAsync("chat/completions", body, cancellationToken).ConfigureAwait(false);
            return Choices(response, options.NumReturnSequences, c => (string?)c["message"]?["content"], options.StopStrings);
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// Scores each request's continuations the way the recipe's <see cref="RemoteModel.Scoring"/> says the server can:
    /// echoed log-probabilities (<see cref="EchoedAsync"/>), the top log-probabilities of the first generated token
    /// (<see cref="TopLogprobsAsync"/>) or sampled votes (<see cref="VotesAsync"/>). Each score carries its method.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<ContinuationScore>>> ScoreAsync(
        IReadOnlyList<ScoringRequest> requests, CancellationToken cancellationToken = default)
    {
        return await Task.WhenAll(requests.Select(async request =>
            request.Continuations.Count == 0 ? [] : _spec.Scoring switch
            {
                ScoringMethod.TopLogprobs => await TopLogprobsAsync(request, cancellationToken).ConfigureAwait(false),
                ScoringMethod.Votes => await VotesAsync(request, cancellationToken).ConfigureAwait(false),
                _ => await EchoedAsync(request, cancellationToken).ConfigureAwait(false),
            })).ConfigureAwait(false);
    }

    /// <summary>One /completions request: every prompt + continuation echoed with its log-probabilities.</summary>
    async Task<IReadOnlyList<ContinuationScore>> EchoedAsync(ScoringRequest request, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["model"] = _spec.Model,
            ["prompt"] = new JsonArray([.. request.Continuations.Select(c => (JsonNode)(request.Prompt + c))]),
            ["echo"] = true,
            ["logprobs"] = 1,
            ["max_tokens"] = _spec.ScoreMaxTokens,
            ["temperature"] = 0,
        };
        var response = await SendAsync("completions", body, cancellationToken).ConfigureAwait(false);
        var choices = Ordered(response, request.Continuations.Count);
        return [.. request.Continuations.Select((c, j) => ContinuationOf(choices[j], request.Prompt, c))];
    }

    /// <summary>
    /// One greedy token with its top log-probabilities: through /completions after the prompt and the continuations'
    /// common prefix (" (" of " (A)", " (B)"), so that the next token is a label; or, with <c>chat</c>, through
    /// /chat/completions as the reply's first token. A continuation's score is the log-probability of the tokens that
    /// name its label ("A", " A", or the prefix and the label, "(A"); a label missing from the list gets the list's lowest
    /// log-probability, a bound on any token left out (both missing: a tie).
    /// </summary>
    async Task<IReadOnlyList<ContinuationScore>> TopLogprobsAsync(ScoringRequest request, CancellationToken cancellationToken)
    {
        var (prefix, labels) = ChoiceLabels(request.Continuations);
        var body = new JsonObject { ["model"] = _spec.Model, ["max_tokens"] = 1, ["temperature"] = 0 };
        List<(string Token, double Logprob)> top;
        if (_spec.Chat)
        {
            body["messages"] = Messages(_format.Parse(request.Prompt));
            body["logprobs"] = true;
            body["top_logprobs"] = _spec.TopLogprobs;
            var response = await SendAsync("chat/completions", body, cancellationToken).ConfigureAwait(false);
            top = [.. (Ordered(response, 1)[0]["logprobs"]?["content"]?[0]?["top_logprobs"] as JsonArray
                       ?? throw Malformed("an answer without logprobs.content[0].top_logprobs (does the server support top_logprobs?)"))
                .Select(t => ((string?)t?["token"] ?? "", (double?)t?["logprob"] ?? double.NegativeInfinity))];
        }
        else
        {
            body["prompt"] = request.Prompt + prefix;
            body["logprobs"] = _spec.TopLogprobs;
            var response = await SendAsync("completions", body, cancellationToken).ConfigureAwait(false);
            top = [.. (Ordered(response, 1)[0]["logprobs"]?["top_logprobs"]?[0] as JsonObject
                       ?? throw Malformed("an answer without logprobs.top_logprobs[0] (does the server support logprobs?)"))
                .Select(t => (t.Key, (double?)t.Value ?? double.NegativeInfinity))];
        }
        if (top.Count == 0) throw Malformed("an empty top_logprobs list");
        double floor = top.Min(t => t.Logprob);
        return [.. labels.Select(label =>
        {
            var named = top.Where(t => t.Token.Trim() == label || t.Token.Trim() == prefix.Trim() + label).Select(t => t.Logprob).ToList();
            double logprob = named.Count == 0 ? floor : Math.Log(named.Sum(Math.Exp));
            return new ContinuationScore(logprob, 1) { Method = ScoringMethod.TopLogprobs };
        })];
    }

    /// <summary>
    /// <see cref="RemoteModel.Votes"/> replies sampled at <see cref="RemoteModel.VoteTemperature"/> (each request one reply
    /// with its own seed, a hash of the prompt and the vote's number, so a resumed stage asks the same questions): a reply
    /// votes for the first continuation it begins with, as written (" (A)" → "(A)") or as its label ("A", "(A" followed by
    /// no letter or digit). A continuation's score is ln(its votes / all replies), its token count its votes; replies that
    /// name no continuation abstain.
    /// </summary>
    async Task<IReadOnlyList<ContinuationScore>> VotesAsync(ScoringRequest request, CancellationToken cancellationToken)
    {
        var (prefix, labels) = ChoiceLabels(request.Continuations);
        long seed = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(request.Prompt)));
        var options = new GenerationOptions
        {
            MaxNewTokens = 8,
            Temperature = (float)_spec.VoteTemperature,
            StopStrings = ["\n"],
            Seeds = [.. Enumerable.Range(0, _spec.Votes).Select(j => PromptSeed(seed, j))],
        };
        var replies = _spec.Chat
            ? await ChatAsync([.. Enumerable.Repeat(_format.Parse(request.Prompt), _spec.Votes)], options, cancellationToken).ConfigureAwait(false)
            : await GenerateAsync([.. Enumerable.Repeat(request.Prompt, _spec.Votes)], options, cancellationToken).ConfigureAwait(false);
        var votes = new int[labels.Length];
        foreach (string reply in replies.Select(r => r[0].Text.TrimStart()))
        {
            int choice = Enumerable.Range(0, labels.Length).FirstOrDefault(j =>
                reply.StartsWith(request.Continuations[j].Trim(), StringComparison.Ordinal)
                || Names(reply, labels[j]) || Names(reply, prefix.Trim() + labels[j]), -1);
            if (choice >= 0) votes[choice]++;
        }
        return [.. votes.Select(v => new ContinuationScore(Math.Log(v / (double)_spec.Votes), v) { Method = ScoringMethod.Votes })];

        static bool Names(string reply, string label) =>
            reply.StartsWith(label, StringComparison.Ordinal) && (reply.Length == label.Length || !char.IsLetterOrDigit(reply[label.Length]));
    }

    /// <summary>
    /// The continuations' common prefix and each one's label, the word after it: " (A)", " (B)" give " (", "A" and "B".
    /// Top log-probabilities and votes need labels that are distinct and not empty.
    /// </summary>
    (string Prefix, string[] Labels) ChoiceLabels(IReadOnlyList<string> continuations)
    {
        int common = continuations.Min(c => c.Length);
        foreach (string c in continuations)
            common = Math.Min(common, c.AsSpan().CommonPrefixLength(continuations[0]));
        var labels = continuations.Select(c => new string([.. c[common..].TakeWhile(char.IsLetterOrDigit)])).ToArray();
        if (labels.Any(l => l.Length == 0) || labels.Distinct().Count() != labels.Length)
            throw new ArgumentException($"model {_spec.Id}: scoring {YamlTypes.EnumName(_spec.Scoring)} needs "
                                        + "continuations that differ in a word after their common prefix, got "
                                        + string.Join(", ", continuations.Select(c => $"'{c}'")));
        return (continuations[0][..common], labels);
    }

    static JsonArray Messages(Conversation conversation) => new([.. conversation.Turns.Select(t => (JsonNode)new JsonObject
    {
        ["role"] = t.Role switch { Role.System => "system", Role.Assistant => "assistant", _ => "user" },
        ["content"] = t.Text,
    })]);

    /// <summary>
    /// The log-probability of <paramref name="continuation"/> in an echoed choice of <paramref name="prompt"/> + it: the sum
    /// over the tokens that end after the prompt and begin before the continuation's end (a token that straddles the
    /// prompt's end counts with the continuation). Positions are counted in the token texts from the end of the echo
    /// (the choice's text after it is the generated tail), so that what servers add before the prompt (a "&lt;s&gt;" token's
    /// text) or decode differently in it (a character split over tokens) does not move the continuation; when the echo is
    /// not found in the text, the server's text_offset is used.
    /// </summary>
    internal ContinuationScore ContinuationOf(JsonObject choice, string prompt, string continuation)
    {
        var logprobs = choice["logprobs"] as JsonObject
                       ?? throw Malformed("a scoring choice has no logprobs (does the server support echo with logprobs?)");
        var tokens = logprobs["tokens"]?.AsArray().Select(t => (string?)t ?? "").ToList() ?? throw Malformed("logprobs without tokens");
        var values = logprobs["token_logprobs"]?.AsArray() ?? throw Malformed("logprobs without token_logprobs");
        if (values.Count != tokens.Count) throw Malformed("logprobs arrays of different lengths");
        string text = (string?)choice["text"] ?? throw Malformed("a scoring choice without text");
        string echoed = prompt + continuation;
        var starts = new int[tokens.Count];
        for (int k = 1; k < tokens.Count; k++) starts[k] = starts[k - 1] + tokens[k - 1].Length;
        int total = tokens.Sum(t => t.Length), begin, stop;
        if (text.IndexOf(echoed, StringComparison.Ordinal) is var at and >= 0)
        {
            stop = total - (text.Length - at - echoed.Length);
            begin = stop - continuation.Length;
        }
        else
        {
            var offsets = logprobs["text_offset"]?.AsArray().Select(o => (int)o!).ToList()
                          ?? throw Malformed("the echoed text is not the prompt and logprobs have no text_offset");
            if (offsets.Count != tokens.Count) throw Malformed("logprobs arrays of different lengths");
            int shift = Math.Max(0, total - text.Length);
            for (int k = 0; k < tokens.Count; k++) starts[k] = offsets[k] - shift;
            (begin, stop) = (prompt.Length, echoed.Length);
        }
        double sum = 0;
        int count = 0;
        for (int k = 0; k < tokens.Count; k++)
        {
            if (starts[k] + tokens[k].Length <= begin || starts[k] >= stop) continue;
            if (values[k] is null) throw Malformed($"the continuation's token {k} has no log-probability (an empty prompt?)");
            sum += (double)values[k]!;
            count++;
        }
        if (count == 0 && continuation.Length > 0)
            throw Malformed("no echoed token covers the continuation (did the server echo the prompt?)");
        return new ContinuationScore(sum, count);
    }

    JsonObject Sampling(GenerationOptions options, long seed)
    {
        var body = new JsonObject
        {
            ["model"] = _spec.Model,
            ["max_tokens"] = options.MaxNewTokens,
            ["temperature"] = options.Temperature,
            ["top_p"] = options.TopP,
            ["n"] = options.NumReturnSequences,
            ["seed"] = seed,
        };
        if (options.StopStrings.Count > 0) body["stop"] = new JsonArray([.. options.StopStrings.Select(s => (JsonNode)s)]);
        if (options.TopK > 0) body["top_k"] = options.TopK; // vLLM's extension, as cai serve
        if (options.IgnoreEos) body["ignore_eos"] = true;
        return body;
    }

    /// <summary>Prompt i's seed when the call gives one seed: the local generator's rule (a fixed hash of (seed, i)).</summary>
    static long PromptSeed(long seed, int index) => Cai.Models.Generation.SamplingSeeds.PromptSeed(seed, index);

    IReadOnlyList<GeneratedText> Choices(JsonObject response, int n, Func<JsonObject, string?> text, IReadOnlyList<string> stops) =>
        [.. Ordered(response, n).Select(c =>
        {
            string value = text(c) ?? throw Malformed("a choice without text");
            // Servers that honour fewer stop strings (OpenAI takes 4) still end the text at the first one.
            int cut = stops.Select(s => value.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
            bool stopString = cut >= 0 || c["stop_reason"] is JsonValue { } v && v.GetValueKind() == JsonValueKind.String;
            var reason = stopString ? FinishReason.StopString
                : (string?)c["finish_reason"] == "length" ? FinishReason.Length : FinishReason.EndOfSequence;
            return new GeneratedText(cut >= 0 ? value[..cut] : value, [], reason);
        })];

    List<JsonObject> Ordered(JsonObject response, int expected)
    {
        var choices = (response["choices"] as JsonArray)?.OfType<JsonObject>().OrderBy(c => (int?)c["index"] ?? 0).ToList()
                      ?? throw Malformed("an answer without choices");
        if (choices.Count != expected) throw Malformed($"{choices.Count} choices where {expected} were asked for");
        return choices;
    }

    InvalidDataException Malformed(string what) => new($"model {_spec.Id}: {what}");

    /// <summary>
    /// POSTs <paramref name="body"/> to <paramref name="path"/> under the endpoint, or answers it from the cache or from the
    /// same request in flight (identical pairs of responses ask identical questions). Transient failures are retried
    /// (<see cref="RemoteModel.MaxRetries"/>); the last failure is a <see cref="RemoteModelException"/> naming the
    /// endpoint, the status and the server's message.
    /// </summary>
    internal async Task<JsonObject> SendAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        string json = body.ToJsonString();
        var url = new Uri(_base, path);
        string key = Key(url, json);
        string? cacheFile = CacheDirectory is { } folder ? Path.Combine(folder, key + ".json") : null;
        var mine = new Lazy<Task<string>>(() => FetchAsync(url, path, json, cacheFile, cancellationToken));
        var shared = _inFlight.GetOrAdd(key, mine);
        try
        {
            // Each caller parses its own copy: a JsonObject is not safe to read from two threads at once.
            var answer = JsonNode.Parse(await shared.Value.ConfigureAwait(false))!.AsObject();
            if (!ReferenceEquals(shared, mine)) Interlocked.Increment(ref _cached);
            Count(answer);
            return answer;
        }
        finally
        {
            if (ReferenceEquals(shared, mine)) _inFlight.TryRemove(KeyValuePair.Create(key, mine));
        }
    }

    /// <summary>The answer's JSON text: from the cache, or from the server (then cached).</summary>
    async Task<string> FetchAsync(Uri url, string path, string json, string? cacheFile, CancellationToken cancellationToken)
    {
        if (cacheFile is not null && Cached(cacheFile) is { } hit)
        {
            Interlocked.Increment(ref _cached);
            return hit.ToJsonString();
        }
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var (answer, failure, retryAfter) = await AttemptAsync(url, json, cancellationToken).ConfigureAwait(false);
                if (answer is not null)
                {
                    string text = answer.ToJsonString();
                    if (cacheFile is not null)
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
                        AtomicFile.WriteAllText(cacheFile, text);
                    }
                    Interlocked.Increment(ref _sent);
                    return text;
                }
                if (retryAfter is null || attempt >= _spec.MaxRetries)
                    throw new RemoteModelException($"model {_spec.Model} at {_spec.Endpoint}: POST /{path} failed"
                                                   + $"{(retryAfter is null ? "" : $" after {attempt + 1} attempts")}: {failure}");
                Interlocked.Increment(ref _retries);
                await Task.Delay(Wait(attempt, retryAfter.Value), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>One attempt: the answer; or the failure and, when it is worth retrying, the server's Retry-After (zero when
    /// none).</summary>
    async Task<(JsonObject? Answer, string Failure, TimeSpan? RetryAfter)> AttemptAsync(
        Uri url, string json, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_spec.TimeoutS));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            if (_apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            string described = $"{status} {response.ReasonPhrase}{ErrorMessage(text)}";
            if (response.IsSuccessStatusCode)
                return Parse(text) is { } answer
                    ? (answer, "", null)
                    : (null, $"{status} with a malformed body ({Snippet(text)})", TimeSpan.Zero);
            bool transient = status is 408 or 409 or 429 || status >= 500;
            return (null, described, transient ? RetryAfter(response.Headers.RetryAfter) : null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {_spec.TimeoutS.ToString(CultureInfo.InvariantCulture)} s (timeout_s)", TimeSpan.Zero);
        }
        catch (HttpRequestException e)
        {
            return (null, e.InnerException?.Message ?? e.Message, TimeSpan.Zero);
        }
    }

    /// <summary>The wait before retry <paramref name="attempt"/> + 1: the server's Retry-After, else backoff_s × 2^attempt with full
    /// jitter; at most <see cref="MaxWait"/>.</summary>
    TimeSpan Wait(int attempt, TimeSpan retryAfter)
    {
        if (retryAfter > TimeSpan.Zero) return retryAfter < MaxWait ? retryAfter : MaxWait;
        double cap = Math.Min(MaxWait.TotalSeconds, _spec.BackoffS * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromSeconds(cap * (0.5 + 0.5 * Random.Shared.NextDouble()));
    }

    static TimeSpan RetryAfter(RetryConditionHeaderValue? header) =>
        header?.Delta is { } delta ? delta
        : header?.Date is { } date && date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow
        : TimeSpan.Zero;

    static JsonObject? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject { } answer && answer["choices"] is JsonArray ? answer : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    JsonObject? Cached(string file)
    {
        if (!File.Exists(file)) return null;
        return Parse(File.ReadAllText(file));
    }

    void Count(JsonObject answer)
    {
        if (answer["usage"] is not JsonObject usage) return;
        Interlocked.Add(ref _promptTokens, (long?)usage["prompt_tokens"] ?? 0);
        Interlocked.Add(ref _completionTokens, (long?)usage["completion_tokens"] ?? 0);
    }

    /// <summary>": message" from an OpenAI-shaped error body, or a snippet of any other body.</summary>
    static string ErrorMessage(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        try
        {
            if (JsonNode.Parse(text)?["error"] is { } error)
                return ": " + ((error as JsonObject)?["message"]?.ToString() ?? error.ToString());
        }
        catch (JsonException)
        {
        }
        return ": " + Snippet(text);
    }

    static string Snippet(string text)
    {
        string line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    /// <summary>The cache key: SHA-256 of the URL (endpoint and path: two servers of one model name differ) and the exact body.</summary>
    static string Key(Uri url, string json) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri + "\n" + json)));

    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
    }
}

/// <summary>What a remote model's requests cost: answers received, answers read from the cache or shared with an identical
/// request in flight, retries, and the tokens the server counted (usage) over every answer used.</summary>
public sealed record RemoteUsage(long Requests, long Cached, long Retries, long PromptTokens, long CompletionTokens)
{
    public static readonly RemoteUsage None = new(0, 0, 0, 0, 0);

    public static RemoteUsage operator +(RemoteUsage a, RemoteUsage b) => new(a.Requests + b.Requests, a.Cached + b.Cached,
        a.Retries + b.Retries, a.PromptTokens + b.PromptTokens, a.CompletionTokens + b.CompletionTokens);

    /// <summary>The stage metrics: remote_requests, remote_cached, remote_retries, remote_prompt_tokens,
    /// remote_completion_tokens.</summary>
    public IReadOnlyDictionary<string, double> Metrics() => new Dictionary<string, double>
    {
        ["remote_requests"] = Requests,
        ["remote_cached"] = Cached,
        ["remote_retries"] = Retries,
        ["remote_prompt_tokens"] = PromptTokens,
        ["remote_completion_tokens"] = CompletionTokens,
    };
}

/// <summary>A served model's request failed for good (after its retries, or with an error that retrying cannot fix).</summary>
public sealed class RemoteModelException(string message) : Exception(message);
