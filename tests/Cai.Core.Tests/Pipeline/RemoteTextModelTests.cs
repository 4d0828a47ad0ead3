using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Recipes;
using Cai.Tests.Shared;

namespace Cai.Core.Tests.Pipeline;

/// <summary>RemoteTextModel against a fake OpenAI server on loopback: requests, answers, retries, errors and the request cache.</summary>
public sealed class RemoteTextModelTests : IDisposable
{
    readonly FakeOpenAiServer _server = new();
    readonly string _cache = Directory.CreateTempSubdirectory("cai-remote-").FullName;

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    RemoteModel Spec(int retries = 3, double timeout = 5, bool chat = false) => new()
    {
        Endpoint = _server.Endpoint,
        Model = FakeOpenAiServer.ModelName,
        MaxRetries = retries,
        TimeoutS = timeout,
        BackoffS = 0.01,
        Chat = chat,
    };

    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerationSendsOneRequestPerPromptWithItsSeedAndSamplingSettings()
    {
        using var model = new RemoteTextModel(Spec());
        var options = new GenerationOptions
        {
            MaxNewTokens = 7,
            Temperature = 0.5f,
            TopP = 0.9f,
            NumReturnSequences = 2,
            Seeds = [11, 12],
            StopStrings = ["\n\nHuman:"],
        };
        var result = await model.GenerateAsync(["first prompt", "second"], options, Token);

        Assert.Equal(2, result.Count);
        Assert.Equal([FakeOpenAiServer.Sample("first prompt", 11, 0), FakeOpenAiServer.Sample("first prompt", 11, 1)],
            result[0].Select(g => g.Text));
        Assert.Equal(FakeOpenAiServer.Sample("second", 12, 1), result[1][1].Text);
        var bodies = _server.Requests.Select(r => JsonNode.Parse(r.Body)!).OrderBy(b => (long)b["seed"]!).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.All(bodies, b =>
        {
            Assert.Equal(7, (int)b["max_tokens"]!);
            Assert.Equal(0.5, (double)b["temperature"]!, 1e-6);
            Assert.Equal(0.9, (double)b["top_p"]!, 1e-6);
            Assert.Equal(2, (int)b["n"]!);
            Assert.Equal("\n\nHuman:", (string)b["stop"]![0]!);
        });
        Assert.All(_server.Requests, r => Assert.Equal("completions", r.Path));
        var usage = model.TakeUsage();
        Assert.Equal(2, usage.Requests);
        Assert.Equal(12, usage.CompletionTokens); // the fake counts 3 per sample
        Assert.Equal(RemoteUsage.None, model.TakeUsage());
    }

    [Fact]
    public async Task ScoresAreTheEchoedLogprobsOfTheContinuationsTokens()
    {
        using var model = new RemoteTextModel(Spec());
        const string prompt = "\n\nHuman: Which is kinder?\n\nAssistant:";
        var scores = await model.ScoreAsync([new ScoringRequest(prompt, [" (A)", " (B) yes"])], Token);

        Assert.Equal(FakeOpenAiServer.TokenLogprob(prompt, " (A)"), scores[0][0].LogProb, 1e-12);
        Assert.Equal(1, scores[0][0].TokenCount);
        Assert.Equal(FakeOpenAiServer.TokenLogprob(prompt, " (B)") + FakeOpenAiServer.TokenLogprob(prompt + " (B)", " yes"),
            scores[0][1].LogProb, 1e-12);
        Assert.Equal(2, scores[0][1].TokenCount);
        var body = JsonNode.Parse(Assert.Single(_server.Requests).Body)!;
        Assert.True((bool)body["echo"]!);
        Assert.Equal(1, (int)body["max_tokens"]!); // the generated token is left out
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABosTokenInTheEchoDoesNotMoveTheContinuation(bool inText)
    {
        const string prompt = "\n\nHuman: Which is kinder?\n\nAssistant:";
        using var model = new RemoteTextModel(Spec());
        var plain = await model.ScoreAsync([new ScoringRequest(prompt, [" (A)", " (B) yes"])], Token);
        _server.Bos = ("<s>", inText);
        var withBos = await model.ScoreAsync([new ScoringRequest(prompt, [" (A)", " (B) yes"])], Token);
        Assert.Equal(plain[0].Select(s => (s.LogProb, s.TokenCount)), withBos[0].Select(s => (s.LogProb, s.TokenCount)));
        Assert.Equal(2, withBos[0][1].TokenCount);
    }

    [Fact]
    public async Task ChatModelsGetMessagesAndAFinalAssistantTurnIsContinuedAsText()
    {
        using var model = new RemoteTextModel(Spec(chat: true));
        var conversation = new Conversation([new Turn(Role.System, "Be brief."), new Turn(Role.User, "Hello")]);
        var replies = await model.ChatAsync([conversation], new GenerationOptions { Seeds = [5] }, Token);
        Assert.Equal(FakeOpenAiServer.Sample("Hello", 5, 0), replies[0][0].Text);
        var chat = Assert.Single(_server.Requests);
        Assert.Equal("chat/completions", chat.Path);
        Assert.Equal(["system", "user"], JsonNode.Parse(chat.Body)!["messages"]!.AsArray().Select(m => (string)m!["role"]!));

        await model.ChatAsync([conversation.Append(Role.Assistant, "Sure,")], new GenerationOptions(), Token);
        var continued = _server.Requests.Last();
        Assert.Equal("completions", continued.Path);
        var body = JsonNode.Parse(continued.Body)!;
        Assert.EndsWith("Assistant: Sure,", (string)body["prompt"]!);
        Assert.Contains("\n\nHuman:", body["stop"]!.AsArray().Select(s => (string)s!));
    }

    /// <summary>The multiple-choice judge's question in the CAI chat format, as the judge sends it.</summary>
    static string Question(RemoteTextModel model, string options) =>
        model.FormatPrompt(Conversation.FromPrompt($"Which response is kinder?\nOptions:\n{options}\nThe answer is:"));

    [Theory]
    [InlineData(false, 7)]
    [InlineData(false, 2)]
    [InlineData(true, 7)]
    [InlineData(true, 2)]
    public async Task TopLogprobsScoreEachSingleTokenLabelWithAFloorForLabelsNotListed(bool chat, int top)
    {
        using var model = new RemoteTextModel(Spec(chat: chat) with { Scoring = ScoringMethod.TopLogprobs, TopLogprobs = top });
        var questions = Enumerable.Range(0, 6).Select(i => Question(model, $"(A) answer {i}\n(B) other {i}")).ToList();
        var scores = await model.ScoreAsync([.. questions.Select(q => new ScoringRequest(q, [" (A)", " (B)"]))], Token);

        int floored = 0;
        for (int i = 0; i < questions.Count; i++)
        {
            // What the fake's log-probabilities imply: the label's tokens ("A" and " A") summed in probability; a label
            // missing from the top list gets the list's lowest log-probability.
            string before = chat ? questions[i][("\n\nHuman: ".Length)..^"\n\nAssistant:".Length] : questions[i] + " (";
            var listed = FakeOpenAiServer.TopLogprobs(before, top);
            foreach (var (label, j) in new[] { ("A", 0), ("B", 1) })
            {
                var named = listed.Where(t => t.Token.Trim() == label).ToList();
                floored += named.Count == 0 ? 1 : 0;
                double expected = named.Count == 0 ? listed.Min(t => t.Logprob) : Math.Log(named.Sum(t => Math.Exp(t.Logprob)));
                Assert.Equal(expected, scores[i][j].LogProb, 1e-12);
                Assert.Equal(ScoringMethod.TopLogprobs, scores[i][j].Method);
            }
        }
        Assert.True(top > 2 || floored > 0, "some label is missing from a top-2 list"); // the floor path ran
        var body = JsonNode.Parse(_server.Requests.First().Body)!;
        Assert.Equal(1, (int)body["max_tokens"]!);
        if (chat)
        {
            Assert.Equal(("chat/completions", true, top), (_server.Requests.First().Path, (bool)body["logprobs"]!, (int)body["top_logprobs"]!));
            Assert.EndsWith("The answer is:", (string)body["messages"]![0]!["content"]!);
        }
        else
        {
            Assert.Equal(("completions", top), (_server.Requests.First().Path, (int)body["logprobs"]!));
            Assert.Null(body["echo"]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task VotesScoreEachChoiceByItsShareOfSampledReplies(bool chat)
    {
        using var model = new RemoteTextModel(Spec(chat: chat) with { Scoring = ScoringMethod.Votes, Votes = 8, VoteTemperature = 0.7 });
        var questions = Enumerable.Range(0, 4).Select(i => Question(model, $"(A) answer {i}\n(B) other {i}")).ToList();
        var scores = await model.ScoreAsync([.. questions.Select(q => new ScoringRequest(q, [" (A)", " (B)"]))], Token);

        Assert.Equal(4 * 8, _server.Requests.Count);
        for (int i = 0; i < questions.Count; i++)
        {
            string sent = chat ? questions[i][("\n\nHuman: ".Length)..^"\n\nAssistant:".Length] : questions[i];
            var bodies = _server.Requests.Select(r => JsonNode.Parse(r.Body)!)
                .Where(b => (chat ? (string?)b["messages"]?[0]?["content"] : (string?)b["prompt"]) == sent).ToList();
            Assert.Equal(8, bodies.Select(b => (long)b["seed"]!).Distinct().Count());
            Assert.All(bodies, b => Assert.Equal((0.7, 1), ((double)b["temperature"]!, (int)b["n"]!)));
            // VoteReplies: " (A)", " A.", "(A" vote A; " (B) because", "B" vote B; " I can't tell" abstains.
            var votes = bodies.Select(b => FakeOpenAiServer.Vote(sent, (long)b["seed"]!)).ToList();
            int a = votes.Count(v => v < 3), b = votes.Count(v => v is 3 or 4);
            Assert.Equal((Math.Log(a / 8.0), a), (scores[i][0].LogProb, scores[i][0].TokenCount));
            Assert.Equal((Math.Log(b / 8.0), b), (scores[i][1].LogProb, scores[i][1].TokenCount));
            Assert.All(scores[i], s => Assert.Equal(ScoringMethod.Votes, s.Method));
        }
        Assert.Contains(scores, s => s[0].TokenCount + s[1].TokenCount is > 0 and < 8); // some reply abstained
    }

    [Fact]
    public async Task ChoicesWithoutADistinctLabelCannotBeScoredByTopLogprobsOrVotes()
    {
        using var model = new RemoteTextModel(Spec() with { Scoring = ScoringMethod.Votes });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => model.ScoreAsync([new("q", [" (A)", " (A) again"])], Token));
        Assert.Contains("scoring votes needs continuations that differ in a word after their common prefix", error.Message);
    }

    [Fact]
    public async Task TransientFailuresAreRetriedUntilAnAnswer()
    {
        // 429 with Retry-After, 500, a malformed body, an answer held past the timeout, then the answer.
        _server.Fault = r => r.Number switch
        {
            1 => FakeOpenAiServer.Error(429, "slow down", retryAfter: "1"),
            2 => FakeOpenAiServer.Error(500, "boom"),
            3 => new FakeOpenAiServer.Reply(200, "{\"choices\": [ {\"text\": "),
            4 => FakeOpenAiServer.Error(200, "late", delay: TimeSpan.FromSeconds(3)),
            _ => null,
        };
        using var model = new RemoteTextModel(Spec(retries: 4, timeout: 0.5));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await model.GenerateAsync(["p"], new GenerationOptions { Seeds = [1] }, Token);
        Assert.Equal(FakeOpenAiServer.Sample("p", 1, 0), result[0][0].Text);
        Assert.Equal(5, _server.Requests.Count);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"Retry-After: 1 was not honoured ({watch.Elapsed})");
        var usage = model.TakeUsage();
        Assert.Equal(4, usage.Retries);
        Assert.Equal(1, usage.Requests);
    }

    [Fact]
    public async Task ExhaustedRetriesEndInOneLineNamingTheEndpointAndStatus()
    {
        _server.Fault = _ => FakeOpenAiServer.Error(503, "overloaded");
        using var model = new RemoteTextModel(Spec(retries: 2));
        var e = await Assert.ThrowsAsync<RemoteModelException>(() => model.GenerateAsync(["p"], new GenerationOptions(), Token));
        Assert.Equal($"model fake at {_server.Endpoint}: POST /completions failed after 3 attempts: 503 Service Unavailable: overloaded",
            e.Message);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task ClientErrorsAreNotRetried()
    {
        using var model = new RemoteTextModel(Spec() with { Model = "other" });
        var e = await Assert.ThrowsAsync<RemoteModelException>(() => model.ScoreAsync([new ScoringRequest("a", [" b"])], Token));
        Assert.Contains("404", e.Message);
        Assert.Contains("model other does not exist", e.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task TheApiKeyComesFromTheNamedVariableAndIsSentAsBearer()
    {
        Environment.SetEnvironmentVariable("CAI_REMOTE_TEST_KEY", "sk-test-123");
        try
        {
            using var model = new RemoteTextModel(Spec() with { ApiKeyEnv = "CAI_REMOTE_TEST_KEY" });
            await model.GenerateAsync(["p"], new GenerationOptions(), Token);
            Assert.Equal("Bearer sk-test-123", Assert.Single(_server.Requests).Authorization);
            Assert.DoesNotContain("sk-test", model.Name);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CAI_REMOTE_TEST_KEY", null);
        }
    }

    [Fact]
    public async Task CachedAnswersAreNotSentAgain()
    {
        var options = new GenerationOptions { Seeds = [1, 2, 3] };
        using (var first = new RemoteTextModel(Spec()) { CacheDirectory = _cache })
            await first.GenerateAsync(["a", "b", "c"], options, Token);
        Assert.Equal(3, Directory.GetFiles(_cache, "*.json").Length);
        Assert.Equal(_server.Requests.Select(r => r.Key + ".json").Order(), Directory.GetFiles(_cache).Select(Path.GetFileName).Order());

        using var second = new RemoteTextModel(Spec()) { CacheDirectory = _cache };
        var again = await second.GenerateAsync(["a", "b", "c", "d"], options with { Seeds = [1, 2, 3, 4] }, Token);
        Assert.Equal(FakeOpenAiServer.Sample("b", 2, 0), again[1][0].Text);
        Assert.Equal(4, _server.Requests.Count); // only "d" was sent
        var usage = second.TakeUsage();
        Assert.Equal((1, 3), (usage.Requests, usage.Cached));
    }

    [Fact]
    public async Task TwoServersOfOneModelNameDoNotShareCachedAnswers()
    {
        using var other = new FakeOpenAiServer(salt: 1);
        var request = new ScoringRequest("Which?", [" (A)", " (B)"]);
        using var first = new RemoteTextModel(Spec()) { CacheDirectory = _cache };
        using var second = new RemoteTextModel(Spec() with { Endpoint = other.Endpoint }) { CacheDirectory = _cache };
        var a = await first.ScoreAsync([request], Token);
        var b = await second.ScoreAsync([request], Token);
        Assert.Single(other.Requests);
        Assert.NotEqual(a[0][0].LogProb, b[0][0].LogProb);
    }

    [Fact]
    public async Task IdenticalRequestsInFlightAreSentOnce()
    {
        using var model = new RemoteTextModel(Spec());
        var request = new ScoringRequest("Which?", [" (A)", " (B)"]);
        var scores = await model.ScoreAsync([request, request, request], Token);
        Assert.Single(_server.Requests);
        Assert.Equal(scores[0][1], scores[2][1]);
        Assert.Equal((1, 2), (model.TakeUsage() is var u ? (u.Requests, u.Cached) : default));
    }

    [Fact]
    public async Task ConcurrencyIsBounded()
    {
        int inFlight = 0, most = 0;
        _server.Fault = _ =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            Thread.Sleep(50);
            Interlocked.Decrement(ref inFlight);
            return null;
        };
        using var model = new RemoteTextModel(Spec() with { MaxConcurrency = 2 });
        await model.GenerateAsync([.. Enumerable.Range(0, 8).Select(i => $"p{i}")], new GenerationOptions(), Token);
        Assert.Equal(8, _server.Requests.Count);
        Assert.InRange(most, 1, 2);
    }

    static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
