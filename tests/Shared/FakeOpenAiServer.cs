using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cai.Tests.Shared;

/// <summary>
/// An OpenAI-compatible server on 127.0.0.1 for client tests: /v1/completions (echo with logprobs and text offsets, one
/// token with its top log-probabilities, or made-up samples) and /v1/chat/completions (made-up samples, or one token with
/// its top_logprobs); a sampled reply to a question ending in "The answer is:" is a made-up vote (<see cref="Vote"/>). Answers that depend only on the request, every request recorded, and
/// faults injected by <see cref="Fault"/> (a status with a body and Retry-After, a malformed body, an answer held
/// past the client's timeout).
/// </summary>
public sealed partial class FakeOpenAiServer : IDisposable
{
    /// <summary>A request as received: its number (from 1), path under /v1/ ("completions"), body and Authorization header, and the
    /// server's endpoint.</summary>
    public sealed record Request(int Number, string Path, string Body, string? Authorization, string Endpoint)
    {
        /// <summary>RemoteTextModel's cache key of this request: SHA-256 of the URL, newline, body.</summary>
        public string Key => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Endpoint}/{Path}\n{Body}")));
    }

    /// <summary>A fault: the status and body sent instead of the answer, after <paramref name="Delay"/>.</summary>
    public sealed record Reply(int Status, string Body, TimeSpan Delay = default, string? RetryAfter = null);

    readonly HttpListener _listener = new();
    readonly CancellationTokenSource _stop = new();
    int _count;

    /// <param name="salt">Varies the made-up log-probabilities, so that servers with different salts are different models.</param>
    public FakeOpenAiServer(int salt = 0)
    {
        Salt = salt;
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                Endpoint = $"http://127.0.0.1:{port}/v1";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Prefixes.Clear();
            }
        }
        _ = Task.Run(ServeAsync);
    }

    /// <summary>A first echoed token without text in the prompt (a bos token's "&lt;s&gt;"), and whether the echoed text shows
    /// it.</summary>
    public (string Text, bool InText)? Bos { get; set; }

    /// <summary>What varies this server's log-probabilities (<see cref="TokenLogprob"/>).</summary>
    public int Salt { get; }

    /// <summary>The base URL clients use, http://127.0.0.1:PORT/v1.</summary>
    public string Endpoint { get; } = "";

    /// <summary>Decides each request's fault, or null to answer it.</summary>
    public Func<Request, Reply?>? Fault { get; set; }

    /// <summary>Called after a request was answered successfully.</summary>
    public Action<Request>? Answered { get; set; }

    /// <summary>Every request received, in arrival order.</summary>
    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>The model name the server serves.</summary>
    public const string ModelName = "fake";

    async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            string body = await reader.ReadToEndAsync();
            string path = context.Request.Url!.AbsolutePath.TrimStart('/');
            path = path.StartsWith("v1/", StringComparison.Ordinal) ? path[3..] : path;
            var request = new Request(Interlocked.Increment(ref _count), path, body, context.Request.Headers["Authorization"], Endpoint);
            Requests.Enqueue(request);
            var reply = Fault?.Invoke(request) ?? Answer(request, Salt, Bos);
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, _stop.Token);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            if (reply.RetryAfter is not null) context.Response.Headers["Retry-After"] = reply.RetryAfter;
            byte[] bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
            if (reply.Status == 200) Answered?.Invoke(request);
        }
        catch (Exception)
        {
            // The client went away (a timeout) or the server stops.
            try { context.Response.Abort(); } catch (Exception) { }
        }
    }

    /// <summary>The answer to a request without a fault.</summary>
    public static Reply Answer(Request request, int salt = 0, (string Text, bool InText)? bos = null)
    {
        var body = JsonNode.Parse(request.Body)!.AsObject();
        if ((string?)body["model"] != ModelName) return Error(404, $"model {(string?)body["model"]} does not exist");
        int n = (int?)body["n"] ?? 1;
        long seed = (long?)body["seed"] ?? 0;
        var choices = new JsonArray();
        int promptTokens = 0, completionTokens = 0;
        if (request.Path == "completions")
        {
            var prompts = body["prompt"] is JsonArray list ? list.Select(p => (string)p!).ToList() : [(string)body["prompt"]!];
            bool echo = (bool?)body["echo"] ?? false;
            int? top = echo ? null : (int?)body["logprobs"];
            foreach (string prompt in prompts)
            {
                promptTokens += Tokens(prompt).Count;
                for (int j = 0; j < n; j++)
                {
                    if (echo)
                    {
                        var tokens = Tokens(prompt);
                        if (((int?)body["max_tokens"] ?? 16) > 0) tokens.Add(" x");
                        completionTokens += tokens.Count - Tokens(prompt).Count;
                        string text = string.Concat(tokens);
                        if (bos is { } first)
                        {
                            tokens.Insert(0, first.Text);
                            if (first.InText) text = first.Text + text;
                        }
                        var offsets = new JsonArray();
                        int offset = 0;
                        foreach (string token in tokens)
                        {
                            offsets.Add(offset);
                            offset += token.Length;
                        }
                        choices.Add(new JsonObject
                        {
                            ["index"] = choices.Count,
                            ["text"] = text,
                            ["finish_reason"] = "length",
                            ["logprobs"] = new JsonObject
                            {
                                ["tokens"] = new JsonArray([.. tokens.Select(t => (JsonNode)t)]),
                                ["token_logprobs"] = new JsonArray([.. tokens.Select((t, k) =>
                                    k == 0 ? null : (JsonNode)TokenLogprob(string.Concat(tokens[(bos is null ? 0 : 1)..k]), t, salt))]),
                                ["text_offset"] = offsets,
                            },
                        });
                    }
                    else if (top is { } count)
                    {
                        completionTokens += 1;
                        var best = TopLogprobs(prompt, count, salt);
                        choices.Add(new JsonObject
                        {
                            ["index"] = choices.Count,
                            ["text"] = best[0].Token,
                            ["finish_reason"] = "length",
                            ["logprobs"] = new JsonObject
                            {
                                ["tokens"] = new JsonArray(best[0].Token),
                                ["token_logprobs"] = new JsonArray(best[0].Logprob),
                                ["top_logprobs"] = new JsonArray(new JsonObject(best.Select(t => KeyValuePair.Create(t.Token, (JsonNode?)t.Logprob)))),
                                ["text_offset"] = new JsonArray(prompt.Length),
                            },
                        });
                    }
                    else
                    {
                        completionTokens += 3;
                        choices.Add(new JsonObject
                        {
                            ["index"] = choices.Count,
                            ["text"] = Sampled(body, prompt, seed, j, salt),
                            ["finish_reason"] = "stop",
                        });
                    }
                }
            }
        }
        else if (request.Path == "chat/completions")
        {
            var messages = body["messages"]!.AsArray();
            string last = (string)messages[^1]!["content"]!;
            promptTokens = messages.Sum(m => Tokens((string)m!["content"]!).Count);
            for (int j = 0; j < n; j++)
            {
                if ((bool?)body["logprobs"] == true)
                {
                    completionTokens += 1;
                    var best = TopLogprobs(last, (int?)body["top_logprobs"] ?? 0, salt);
                    choices.Add(new JsonObject
                    {
                        ["index"] = j,
                        ["finish_reason"] = "length",
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = best[0].Token },
                        ["logprobs"] = new JsonObject
                        {
                            ["content"] = new JsonArray(new JsonObject
                            {
                                ["token"] = best[0].Token,
                                ["logprob"] = best[0].Logprob,
                                ["top_logprobs"] = new JsonArray([.. best.Select(t => (JsonNode)new JsonObject { ["token"] = t.Token, ["logprob"] = t.Logprob })]),
                            }),
                        },
                    });
                    continue;
                }
                completionTokens += 3;
                choices.Add(new JsonObject
                {
                    ["index"] = j,
                    ["finish_reason"] = "stop",
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Sampled(body, last, seed, j, salt) },
                });
            }
        }
        else return Error(404, $"unknown URL {request.Path}");
        return new Reply(200, new JsonObject
        {
            ["id"] = $"fake-{request.Number}",
            ["object"] = "text_completion",
            ["model"] = ModelName,
            ["choices"] = choices,
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        }.ToJsonString());
    }

    /// <summary>An OpenAI-shaped error.</summary>
    public static Reply Error(int status, string message, string? retryAfter = null, TimeSpan delay = default) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "server_error" } }.ToJsonString(),
            delay, retryAfter);

    /// <summary>The fake's tokens: runs of spaces joined to the word after them.</summary>
    public static List<string> Tokens(string text) => [.. TokenPattern().Matches(text).Select(m => m.Value)];

    /// <summary>The fake's log-probability of a token after a text: a made-up value in [-3, 0) that depends only on the two
    /// texts and the salt (FNV-1a).</summary>
    public static double TokenLogprob(string before, string token, int salt = 0)
    {
        uint hash = 2166136261 ^ (uint)salt;
        foreach (char c in before + "\u0001" + token) hash = (hash ^ c) * 16777619;
        return -(hash % 97 + 1) / 33.0;
    }

    /// <summary>The first tokens the fake considers after a text, each with <see cref="TokenLogprob"/>: two labels with and
    /// without a leading space, and others.</summary>
    public static readonly string[] NextTokens = ["A", " A", "B", " B", "(", " I", "C"];

    /// <summary>The <paramref name="count"/> most likely of <see cref="NextTokens"/> after a text, most likely first.</summary>
    public static List<(string Token, double Logprob)> TopLogprobs(string before, int count, int salt = 0) =>
        [.. NextTokens.Select(t => (t, TokenLogprob(before, t, salt))).OrderByDescending(t => t.Item2).Take(Math.Max(1, count))];

    /// <summary>The replies a vote can be: (A) as written, as a label, as the label and its bracket; the same for B; none.</summary>
    public static readonly string[] VoteReplies = [" (A)", " A.", "(A", " (B) because", "B", " I can't tell"];

    /// <summary>Which <see cref="VoteReplies"/> the fake samples for a question with a seed (FNV-1a of both and the salt).</summary>
    public static int Vote(string question, long seed, int salt = 0)
    {
        uint hash = 2166136261 ^ (uint)salt;
        foreach (char c in question + "\u0002" + seed) hash = (hash ^ c) * 16777619;
        return (int)(hash % (uint)VoteReplies.Length);
    }

    /// <summary>A sampled reply: a vote for a question ending in "The answer is:" (alone, or before the assistant cue) at a
    /// temperature above 0, otherwise <see cref="Sample"/>.</summary>
    static string Sampled(JsonObject body, string prompt, long seed, int j, int salt) =>
        ((double?)body["temperature"] ?? 1) > 0 && (prompt.EndsWith("The answer is:", StringComparison.Ordinal)
                                                    || prompt.EndsWith("The answer is:\n\nAssistant:", StringComparison.Ordinal))
            ? VoteReplies[Vote(prompt, seed, salt)]
            : Sample(prompt, seed, j);

    /// <summary>The fake's sample j of a prompt with a seed.</summary>
    public static string Sample(string prompt, long seed, int j) => $"reply {j} (seed {seed}) to {prompt.Length} characters";

    [GeneratedRegex(@"\s*\S+|\s+$")]
    private static partial Regex TokenPattern();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }
}
