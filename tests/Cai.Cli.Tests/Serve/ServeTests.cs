using System.ClientModel;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Models;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;
using static Cai.Cli.Tests.Serve.ServeProcess;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;
using ChatMessage = OpenAI.Chat.ChatMessage;

namespace Cai.Cli.Tests.Serve;

/// <summary>`cai serve` as an OpenAI client sees it: one real server process shared by the tests of this class (which run one after another).</summary>
public class ServeTests(DefaultServer server) : IClassFixture<DefaultServer>
{
    private const string Prompt = "\n\nHuman: Tell me about the old mill.\n\nAssistant:";

    [Fact]
    public async Task ModelsListTheServedModelAndHealthIsOk()
    {
        var models = (await new OpenAIModelClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") }).GetModelsAsync()).Value;
        Assert.Equal(ModelName, Assert.Single(models).Id);
        var card = JsonNode.Parse(await server.Http.GetStringAsync("v1/models"))!["data"]![0]!;
        Assert.Equal(768, card["max_model_len"]!.GetValue<int>());
        Assert.Equal("ok", (await server.Http.GetFromJsonAsync<JsonNode>("health"))!["status"]!.GetValue<string>());
        Assert.Equal(ModelName, JsonNode.Parse(await server.Http.GetStringAsync($"v1/models/{ModelName}"))!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, "How do I bake bread?")]
    [InlineData("The assistant is kind and brief.", "Tell me about the mill.")]
    public async Task GreedyChatCompletionEqualsLocalGeneration(string? system, string user)
    {
        using var local = LocalTextModel.Load(TinyModel);
        string prompt = (system ?? "") + local.FormatPrompt(Conversation.FromPrompt(user));
        var expected = (await local.GenerateAsync([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 24, StopStrings = local.TurnStopStrings }))[0][0];
        Assert.NotEmpty(expected.Text);

        ChatMessage[] messages = system is null ? [new UserChatMessage(user)] : [new SystemChatMessage(system), new UserChatMessage(user)];
        var completion = (await server.Chat().CompleteChatAsync(messages, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 24 })).Value;
        Assert.Equal(expected.Text, completion.Content[0].Text);
        Assert.Equal(expected.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(local.Tokenizer.Encode(prompt).Count, completion.Usage.InputTokenCount);
        Assert.Equal(expected.TokenIds.Count, completion.Usage.OutputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);

        // The same server through Microsoft.Extensions.AI.
        IChatClient chat = server.Chat().AsIChatClient();
        List<AiChatMessage> aiMessages = system is null ? [new(ChatRole.User, user)] : [new(ChatRole.System, system), new(ChatRole.User, user)];
        var response = await chat.GetResponseAsync(aiMessages, new ChatOptions { Temperature = 0, MaxOutputTokens = 24 });
        Assert.Equal(expected.Text, response.Text);
    }

    [Fact]
    public async Task ChatFormatOptionRendersChatWithTheNamedBuiltIn()
    {
        using var local = LocalTextModel.Load(TinyModel, chatFormat: "chatml");
        string prompt = local.FormatPrompt(Conversation.FromPrompt("How do I bake bread?"));
        Assert.StartsWith("<|im_start|>user", prompt);
        var expected = (await local.GenerateAsync([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 12, StopStrings = local.TurnStopStrings }))[0][0];

        using var chatml = new ServeProcess("--max-batch", "1", "--chat-format", "chatml");
        var completion = (await chatml.Chat().CompleteChatAsync([new UserChatMessage("How do I bake bread?")],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 })).Value;
        Assert.Equal(expected.Text, completion.Content[0].Text);
        Assert.Equal(local.Tokenizer.Encode(prompt).Count, completion.Usage.InputTokenCount);
    }

    [Fact]
    public async Task GreedyChatLogprobsPutTheChosenTokenFirst()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 };
        var completion = (await server.Chat().CompleteChatAsync([new UserChatMessage("Where is the mill?")], options)).Value;
        var tokens = completion.ContentTokenLogProbabilities;
        Assert.NotEmpty(tokens);
        Assert.True(tokens.Count <= completion.Usage.OutputTokenCount);
        foreach (var token in tokens)
        {
            Assert.Equal(3, token.TopLogProbabilities.Count);
            Assert.Equal(token.Token, token.TopLogProbabilities[0].Token);
            Assert.Equal(token.LogProbability, token.TopLogProbabilities[0].LogProbability, 1e-5);
            Assert.True(token.TopLogProbabilities.Zip(token.TopLogProbabilities.Skip(1)).All(p => p.First.LogProbability >= p.Second.LogProbability));
            Assert.True(token.LogProbability <= 0);
            Assert.Equal(Encoding.UTF8.GetBytes(token.Token), token.Utf8Bytes!.Value.ToArray());
        }
        if (completion.FinishReason == ChatFinishReason.Length) Assert.Equal(completion.Content[0].Text, string.Concat(tokens.Select(t => t.Token)));
    }

    [Fact]
    public async Task EchoWithLogprobsScoresThePromptAsTheLocalModelDoes()
    {
        using var local = LocalTextModel.Load(TinyModel);
        const string question = "\n\nHuman: Which answer is kinder? (A) help the miller (B) take the purse\n\nAssistant: The kinder answer is";
        (string Prompt, string Continuation)[] cases = [(question, " (A)"), (question, " (B)"), ("\n\nHuman: hi\n\nAssistant:", " Hello, how can I help you today?")];
        var expected = await local.ScoreAsync(cases.Select(c => new ScoringRequest(c.Prompt, [c.Continuation])).ToList());
        Assert.NotEqual(expected[0][0].LogProb, expected[1][0].LogProb, 1e-3);

        // Token ids: exactly the tokens the local model scores.
        for (int i = 0; i < cases.Length; i++)
        {
            var promptIds = local.Tokenizer.Encode(cases[i].Prompt);
            int[] ids = [.. promptIds, .. local.Tokenizer.Encode(cases[i].Continuation, addSpecialTokens: false)];
            var (status, body, _) = await server.PostAsync("v1/completions", new JsonObject
            {
                ["model"] = ModelName, ["prompt"] = new JsonArray([.. ids.Select(id => (JsonNode)id)]), ["echo"] = true, ["logprobs"] = 2, ["max_tokens"] = 0,
            });
            Assert.Equal(200, status);
            var choice = body!["choices"]![0]!;
            Assert.Equal(local.Tokenizer.Decode(ids), choice["text"]!.GetValue<string>());
            Assert.Equal("length", choice["finish_reason"]!.GetValue<string>());
            var logprobs = choice["logprobs"]!["token_logprobs"]!.AsArray();
            Assert.Equal(ids.Length, logprobs.Count);
            Assert.Null(logprobs[0]);
            Assert.Null(choice["logprobs"]!["top_logprobs"]![0]);
            Assert.Equal(expected[i][0].LogProb, logprobs.Skip(promptIds.Count).Sum(l => l!.GetValue<double>()), 1e-4);
            var top = choice["logprobs"]!["top_logprobs"]![1]!.AsObject();
            Assert.InRange(top.Count, 2, 3); // the two most likely and the prompt's own token
            Assert.Equal(ids.Length, body["usage"]!["prompt_tokens"]!.GetValue<int>());
            Assert.Equal(0, body["usage"]!["completion_tokens"]!.GetValue<int>());
        }

        // Text prompts, several in one request, where the concatenation tokenizes as the parts do.
        foreach (var (prompt, continuation) in cases)
            Assert.Equal([.. local.Tokenizer.Encode(prompt), .. local.Tokenizer.Encode(continuation, addSpecialTokens: false)], local.Tokenizer.Encode(prompt + continuation));
        var (textStatus, textBody, _) = await server.PostAsync("v1/completions", new JsonObject
        {
            ["model"] = ModelName, ["prompt"] = new JsonArray([.. cases.Select(c => (JsonNode)(c.Prompt + c.Continuation))]), ["echo"] = true, ["logprobs"] = 0, ["max_tokens"] = 0,
        });
        Assert.Equal(200, textStatus);
        for (int i = 0; i < cases.Length; i++)
        {
            var choice = textBody!["choices"]![i]!;
            Assert.Equal(i, choice["index"]!.GetValue<int>());
            Assert.Equal(cases[i].Prompt + cases[i].Continuation, choice["text"]!.GetValue<string>());
            int continuationTokens = local.Tokenizer.Encode(cases[i].Continuation, addSpecialTokens: false).Count;
            Assert.Equal(expected[i][0].LogProb, choice["logprobs"]!["token_logprobs"]!.AsArray().TakeLast(continuationTokens).Sum(l => l!.GetValue<double>()), 1e-4);
        }
    }

    [Fact]
    public async Task ConcurrentRequestsShareGenerationPasses()
    {
        const int requests = 32, tokens = 16;
        var before = await server.MetricsAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => server.PostAsync("v1/completions", new JsonObject
        {
            ["model"] = ModelName, ["prompt"] = $"\n\nHuman: Question {i}?\n\nAssistant:", ["max_tokens"] = tokens, ["ignore_eos"] = true, ["temperature"] = 0.8, ["seed"] = i,
        })));
        var after = await server.MetricsAsync();
        Assert.All(answers, a =>
        {
            Assert.Equal(200, a.Status);
            Assert.Equal(tokens, a.Body!["usage"]!["completion_tokens"]!.GetValue<int>());
            Assert.Equal("length", a.Body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        });
        double Delta(string name) => Value(after, name) - Value(before, name);
        Assert.Equal(requests * tokens, Delta("cai_completion_tokens_total"));
        Assert.Equal(requests, Requests(after, "/v1/completions", 200) - Requests(before, "/v1/completions", 200));
        // One request at a time takes a prefill and `tokens` decode steps each: 32 × 17 passes. Batched, the rows share them.
        double passes = Delta("cai_generation_passes_total"), steps = Delta("cai_decode_steps_total");
        Assert.True(passes < requests * (tokens + 1) / 4.0, $"{passes} generation passes ({steps} decode steps) for {requests} requests of {tokens} tokens");
        Assert.Equal(requests * tokens, Delta("cai_decode_rows_total"));
        Assert.True(Value(after, "cai_generation_tokens_per_second") > 0);
    }

    [Fact]
    public async Task ThirtyTwoConcurrentRequestsTakeFewerPassesThanRequests()
    {
        // The criterion as written: with short answers, every pass (a prefill of those that joined, or a
        // decode step) serves many requests, so 32 requests need fewer than 32 passes.
        const int requests = 32, tokens = 4;
        var before = await server.MetricsAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => server.PostAsync("v1/completions", new JsonObject
        {
            ["model"] = ModelName, ["prompt"] = $"\n\nHuman: Short {i}?\n\nAssistant:", ["max_tokens"] = tokens, ["ignore_eos"] = true, ["seed"] = i,
        })));
        var after = await server.MetricsAsync();
        Assert.All(answers, a => Assert.Equal(200, a.Status));
        double passes = Value(after, "cai_generation_passes_total") - Value(before, "cai_generation_passes_total");
        Assert.True(passes < requests, $"{passes} generation passes for {requests} requests of {tokens} tokens");
    }

    [Fact]
    public async Task ASeededRequestGivesTheSameTextAloneAndUnderLoad()
    {
        JsonObject Seeded() => new()
        {
            ["model"] = ModelName, ["prompt"] = Prompt, ["max_tokens"] = 24, ["temperature"] = 1.0, ["top_p"] = 0.95, ["seed"] = 1234, ["n"] = 2,
        };
        static string[] Texts(JsonNode body) => [.. body["choices"]!.AsArray().OrderBy(c => c!["index"]!.GetValue<int>()).Select(c => c!["text"]!.GetValue<string>())];
        var alone = await server.PostAsync("v1/completions", Seeded());
        Assert.Equal(200, alone.Status);

        var load = Enumerable.Range(0, 12).Select(i => server.PostAsync("v1/completions", new JsonObject
        {
            ["model"] = ModelName, ["prompt"] = $"Story {i}:", ["max_tokens"] = 48, ["ignore_eos"] = true, ["temperature"] = 1.0, ["seed"] = i,
        })).ToList();
        var underLoad = await server.PostAsync("v1/completions", Seeded());
        await Task.WhenAll(load);
        Assert.Equal(Texts(alone.Body!), Texts(underLoad.Body!));

        // `cai generate --seed 1234 --batch 2` draws the same samples: sample j of the request's seed.
        using var local = LocalTextModel.Load(TinyModel);
        var expected = await local.GenerateAsync([Prompt], new GenerationOptions { Temperature = 1, TopP = 0.95f, MaxNewTokens = 24, Seed = 1234, NumReturnSequences = 2 });
        Assert.Equal(expected[0].Select(g => g.Text), Texts(alone.Body!));
        Assert.NotEqual(expected[0][0].Text, expected[0][1].Text);
    }

    [Fact]
    public async Task StreamingChatGivesTheSameTextAsAWholeAnswer()
    {
        var chat = server.Chat();
        ChatMessage[] messages = [new UserChatMessage("Where is the mill?")];
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 32 };
        var whole = (await chat.CompleteChatAsync(messages, options)).Value;
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
        }
        Assert.NotEmpty(whole.Content[0].Text);
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(whole.FinishReason, finish);
    }

    [Fact]
    public async Task StreamingCompletionsGiveTheSameTextsAsWholeAnswers()
    {
        JsonObject Body() => new()
        {
            ["model"] = ModelName, ["prompt"] = new JsonArray(Prompt, "Once upon a time"), ["n"] = 2, ["temperature"] = 0.9, ["seed"] = 7,
            ["max_tokens"] = 40, ["stop"] = new JsonArray(".", "\n\n"), ["logprobs"] = 1,
        };
        var (status, whole, _) = await server.PostAsync("v1/completions", Body());
        Assert.Equal(200, status);
        var streamed = Body();
        streamed["stream"] = true;
        streamed["stream_options"] = new JsonObject { ["include_usage"] = true };
        var (events, done) = await server.StreamAsync("v1/completions", streamed);
        Assert.True(done);
        var usage = events[^1]["usage"]!;
        Assert.Empty(events[^1]["choices"]!.AsArray());
        Assert.Equal(whole!["usage"]!.ToJsonString(), usage.ToJsonString());
        var choices = whole["choices"]!.AsArray();
        Assert.Equal(4, choices.Count);
        foreach (var choice in choices)
        {
            int index = choice!["index"]!.GetValue<int>();
            var parts = events.SelectMany(e => e["choices"]!.AsArray()).Where(c => c!["index"]!.GetValue<int>() == index).ToList();
            Assert.Equal(choice["text"]!.GetValue<string>(), string.Concat(parts.Select(p => p!["text"]!.GetValue<string>())));
            Assert.Equal(choice["finish_reason"]!.GetValue<string>(), parts.Select(p => p!["finish_reason"]?.GetValue<string>()).Single(r => r is not null));
            Assert.Equal(choice["logprobs"]!["tokens"]!.ToJsonString(),
                new JsonArray([.. parts.Where(p => p!["logprobs"] is JsonObject).SelectMany(p => p!["logprobs"]!["tokens"]!.AsArray()).Select(t => t!.DeepClone())]).ToJsonString());
            Assert.DoesNotContain(".", choice["text"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task AStopStringEndsTheTextBeforeIt()
    {
        JsonObject Body(JsonNode? stop) => new()
        {
            ["model"] = ModelName, ["prompt"] = Prompt, ["max_tokens"] = 40, ["temperature"] = 0, ["ignore_eos"] = true, ["stop"] = stop,
        };
        string free = (await server.PostAsync("v1/completions", Body(null))).Body!["choices"]![0]!["text"]!.GetValue<string>();
        Assert.True(free.Length > 12, free);
        string stop = free.Substring(8, 3);
        var stopped = (await server.PostAsync("v1/completions", Body(stop))).Body!["choices"]![0]!;
        Assert.Equal(free[..free.IndexOf(stop, StringComparison.Ordinal)], stopped["text"]!.GetValue<string>());
        Assert.Equal("stop", stopped["finish_reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("chat", """{"model": "nope", "messages": [{"role": "user", "content": "hi"}]}""", 404, "model", "model_not_found")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "temperature": 2.5}""", 400, "temperature", "invalid_value")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "top_p": 0}""", 400, "top_p", "invalid_value")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "n": 0}""", 400, "n", "invalid_value")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "n": 129}""", 400, "n", "invalid_value")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 0}""", 400, "max_tokens", "invalid_value")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "logprobs": true, "top_logprobs": 21}""", 400, "top_logprobs", "invalid_value")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": []}""", 400, "messages", "missing_required_parameter")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "tool", "content": "hi"}]}""", 400, "messages[0].role", "invalid_value")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "temperature": "hot"}""", 400, "temperature", "invalid_type")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": 100000}""", 400, "max_completion_tokens", "context_length_exceeded")]
    [InlineData("chat", """{"model": "cai-tiny-base", "messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function"}]}""", 400, "tools", "unsupported_parameter")]
    [InlineData("completions", """{"model": "cai-tiny-base", "prompt": "hi", "logprobs": 21}""", 400, "logprobs", "invalid_value")]
    [InlineData("completions", """{"model": "cai-tiny-base", "prompt": "hi", "max_tokens": -1}""", 400, "max_tokens", "invalid_value")]
    [InlineData("completions", """{"model": "cai-tiny-base"}""", 400, "prompt", "missing_required_parameter")]
    [InlineData("completions", """{"model": "cai-tiny-base", "prompt": [[1, 99999]]}""", 400, "prompt[0]", "invalid_value")]
    [InlineData("completions", """{"model": "cai-tiny-base", "prompt": "hi", "stop": ["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}""", 400, "stop", "invalid_value")]
    [InlineData("completions", """{"prompt": "hi"}""", 400, "model", "missing_required_parameter")]
    [InlineData("completions", """{"model": "cai-tiny-base", "prompt": "hi",""", 400, null, "invalid_json")]
    public async Task BadRequestsGetOpenAiErrors(string endpoint, string body, int status, string? param, string code)
    {
        var (actual, error, _) = await server.PostAsync(endpoint == "chat" ? "v1/chat/completions" : "v1/completions", body);
        Assert.Equal(status, actual);
        var detail = error!["error"]!;
        Assert.Equal(param, detail["param"]?.GetValue<string>());
        Assert.Equal(code, detail["code"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", detail["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(detail["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ErrorsNameTheNumbersAndUnknownFieldsAreIgnored()
    {
        var tooLong = (await server.PostAsync("v1/completions", new JsonObject { ["model"] = ModelName, ["prompt"] = "hi", ["max_tokens"] = 1000 })).Body!["error"]!;
        Assert.Contains("768", tooLong["message"]!.GetValue<string>());
        Assert.Contains("1000", tooLong["message"]!.GetValue<string>());
        var longPrompt = (await server.PostAsync("v1/completions", new JsonObject
        {
            ["model"] = ModelName, ["prompt"] = new JsonArray([.. Enumerable.Range(0, 800).Select(_ => (JsonNode)5)]), ["max_tokens"] = 1,
        })).Body!["error"]!;
        Assert.Equal("prompt", longPrompt["param"]!.GetValue<string>());
        Assert.Contains("800", longPrompt["message"]!.GetValue<string>());

        var ignored = await server.PostAsync("v1/chat/completions", """
            {"model": "cai-tiny-base", "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}], "name": "x"}],
             "max_tokens": 2, "user": "someone", "frequency_penalty": 0, "some_future_field": {"a": 1}}
            """);
        Assert.Equal(200, ignored.Status);
        Assert.Equal(2, ignored.Body!["usage"]!["completion_tokens"]!.GetValue<int>());

        var unknownPath = await server.Http.GetAsync("v1/embeddings");
        Assert.Equal(404, (int)unknownPath.StatusCode);

        // The OpenAI client surfaces the status.
        var wrongModel = new ChatClient("nope", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
        var thrown = await Assert.ThrowsAsync<ClientResultException>(() => wrongModel.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, thrown.Status);
    }

    [Fact]
    public async Task AClientThatDisconnectsFreesItsRow()
    {
        var before = await server.MetricsAsync();
        Assert.Equal(0, Value(before, "cai_batch_occupancy"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = JsonContent.Create(new JsonObject { ["model"] = ModelName, ["prompt"] = "Once", ["max_tokens"] = 700, ["ignore_eos"] = true, ["stream"] = true }),
        };
        var response = await server.Hangup.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: {", StringComparison.Ordinal)) { }
        Assert.Equal(1, Value(await server.MetricsAsync(), "cai_batch_occupancy"));

        response.Dispose(); // closes the connection mid-stream (Hangup never drains a response)
        var after = await server.WaitForMetricsAsync(m => Value(m, "cai_batch_occupancy") == 0
            && Requests(m, "/v1/completions", 499) > Requests(before, "/v1/completions", 499));
        Assert.Equal(0, Value(after, "cai_batch_occupancy"));
        Assert.Equal(1, Requests(after, "/v1/completions", 499) - Requests(before, "/v1/completions", 499));
        Assert.True(Value(after, "cai_generated_tokens_total") - Value(before, "cai_generated_tokens_total") < 700);
    }
}

/// <summary>The API key and the queue limit, on a server with one row and room for one waiting sequence.</summary>
public class ServeGuardTests(GuardedServer server) : IClassFixture<GuardedServer>
{
    private static JsonObject Chat(int maxTokens = 2) => new()
    {
        ["model"] = ModelName, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["max_tokens"] = maxTokens,
    };

    [Fact]
    public async Task V1NeedsTheApiKey()
    {
        var missing = await server.PostAsync("v1/chat/completions", Chat());
        Assert.Equal(401, missing.Status);
        Assert.Equal("invalid_api_key", missing.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("Bearer", missing.Response.Headers.WwwAuthenticate.ToString());
        var wrong = await server.PostAsync("v1/chat/completions", Chat(), apiKey: "sk-wrong");
        Assert.Equal(401, wrong.Status);
        Assert.Equal(200, (await server.PostAsync("v1/chat/completions", Chat(), apiKey: GuardedServer.Key)).Status);
        Assert.Equal(401, (int)(await server.Http.GetAsync("v1/models")).StatusCode);
        Assert.Equal(200, (int)(await server.Http.GetAsync("health")).StatusCode);
        Assert.Equal(200, (int)(await server.Http.GetAsync("metrics")).StatusCode);

        var thrown = await Assert.ThrowsAsync<ClientResultException>(() => server.Chat("sk-wrong").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, thrown.Status);
        var answer = (await server.Chat(GuardedServer.Key).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 })).Value;
        Assert.Equal(2, answer.Usage.OutputTokenCount);
        Assert.DoesNotContain(GuardedServer.Key, server.Output + server.Error);
    }

    [Fact]
    public async Task AFullQueueGets503WithRetryAfter()
    {
        // Completions without stop strings: nothing ends them before their 700 tokens.
        static JsonObject Long() => new() { ["model"] = ModelName, ["prompt"] = "Once", ["max_tokens"] = 700, ["ignore_eos"] = true, ["stream"] = true };
        HttpRequestMessage Request(JsonObject body) => new(HttpMethod.Post, "v1/completions")
        {
            Content = JsonContent.Create(body), Headers = { Authorization = new("Bearer", GuardedServer.Key) },
        };
        // The one row: a long streamed answer.
        using var running = await server.Hangup.SendAsync(Request(Long()), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)running.StatusCode);
        var reader = new StreamReader(await running.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: {", StringComparison.Ordinal)) { }
        // The one place in the queue.
        using var waiting = await server.Hangup.SendAsync(Request(Long()), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)waiting.StatusCode);
        var queued = await server.WaitForMetricsAsync(m => Value(m, "cai_queue_length") == 1);
        Assert.Equal(1, Value(queued, "cai_batch_occupancy"));
        Assert.Equal(1, Value(queued, "cai_queue_length"));

        var refused = await server.PostAsync("v1/chat/completions", Chat(), apiKey: GuardedServer.Key);
        Assert.Equal(503, refused.Status);
        Assert.Equal("queue_full", refused.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("server_error", refused.Body["error"]!["type"]!.GetValue<string>());
        Assert.NotNull(refused.Response.Headers.RetryAfter);

        running.Dispose();
        waiting.Dispose();
        var idle = await server.WaitForMetricsAsync(m => Value(m, "cai_batch_occupancy") == 0 && Value(m, "cai_queue_length") == 0);
        Assert.Equal(0, Value(idle, "cai_batch_occupancy"));
        Assert.Equal(0, Value(idle, "cai_queue_length"));
        Assert.Equal(200, (await server.PostAsync("v1/chat/completions", Chat(), apiKey: GuardedServer.Key)).Status);
    }
}
