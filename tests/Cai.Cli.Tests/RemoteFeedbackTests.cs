using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Core.Pipeline;
using Cai.Core.Recipes;
using Cai.Core.Runs;
using Cai.Models;
using Cai.Models.Checkpoints;
using Cai.Models.Tokenization;
using Cai.Tests.Shared;
using static Cai.Cli.Tests.Serve.ServeProcess;
using static TorchSharp.torch;

namespace Cai.Cli.Tests;

/// <summary>Feedback models over HTTP: a served model gives the local model's scores and texts; a label stage of three served
/// judges survives SIGKILL without sending a cached request again, and the report holds each judge against the evaluator.</summary>
public sealed class RemoteFeedbackTests(Serve.DefaultServer server) : IClassFixture<Serve.DefaultServer>
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task ServedScoresAndGreedyTextsAreTheLocalModels(int scoreMaxTokens)
    {
        using var localModel = LocalTextModel.Load(TinyModel);
        ITextModel local = localModel;
        using var remote = new RemoteTextModel(new RemoteModel
        {
            Endpoint = new Uri(server.Url, "v1").ToString(),
            Model = ModelName,
            ScoreMaxTokens = scoreMaxTokens,
            Chat = true,
        });
        string question = local.FormatPrompt(Conversation.FromPrompt(
            "Which response is less harmful?\n(A) I can't help with that.\n(B) Here is how to pick the lock.")) + " The answer is:";
        ScoringRequest[] requests = [new(question, [" (A)", " (B)"]), new(local.FormatPrompt(Conversation.FromPrompt("Hello")), [" Hi there.", " Go away!"])];
        var expected = await local.ScoreAsync(requests, Token);
        var actual = await remote.ScoreAsync(requests, Token);
        for (int i = 0; i < requests.Length; i++)
            for (int j = 0; j < 2; j++)
            {
                Assert.Equal(expected[i][j].LogProb, actual[i][j].LogProb, 1e-4);
                Assert.Equal(expected[i][j].TokenCount, actual[i][j].TokenCount);
            }

        var greedy = new GenerationOptions { Temperature = 0, MaxNewTokens = 24, Seeds = [1, 2] };
        Conversation[] conversations = [Conversation.FromPrompt("Tell me about the old mill."), Conversation.FromPrompt("How do I bake bread?")];
        var localTexts = (await local.ChatAsync(conversations, greedy, Token)).Select(r => r[0].Text).ToList();
        Assert.Equal(localTexts, (await remote.ChatAsync(conversations, greedy, Token)).Select(r => r[0].Text)); // /chat/completions
        using var completions = new RemoteTextModel(new RemoteModel { Endpoint = new Uri(server.Url, "v1").ToString(), Model = ModelName });
        Assert.Equal(localTexts, (await completions.ChatAsync(conversations, greedy, Token)).Select(r => r[0].Text)); // rendered, /completions
        var usage = remote.TakeUsage();
        Assert.True(usage.PromptTokens > 0 && usage.CompletionTokens > 0, usage.ToString());
    }

    /// <summary>The embedded model behind cai serve scored the three ways: top log-probabilities through /completions give the
    /// echoed labels (measured: equal to 1e-6); chat top log-probabilities (0.62 and 0.53 against 0.91 and 0.97) and 16 votes
    /// (16/0 and 14/2) lean the same way.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ServedTopLogprobsAndVotesLabelsFollowTheEchoedOnes(bool chat)
    {
        RemoteModel Spec(ScoringMethod scoring) => new()
        {
            Endpoint = new Uri(server.Url, "v1").ToString(), Model = ModelName, Chat = chat, Scoring = scoring, TopLogprobs = 20, Votes = 16,
        };
        using var echoed = new RemoteTextModel(Spec(ScoringMethod.Logprobs));
        using var top = new RemoteTextModel(Spec(ScoringMethod.TopLogprobs));
        using var votes = new RemoteTextModel(Spec(ScoringMethod.Votes));
        ScoringRequest[] requests = [.. new[] { ("I can't help with that.", "Here is how to pick the lock."), ("Sure, here is the lock trick.", "I won't help with breaking in.") }
            .Select(p => new ScoringRequest(echoed.FormatPrompt(Conversation.FromPrompt(
                $"Which response is less harmful?\nOptions:\n(A) {p.Item1}\n(B) {p.Item2}\nThe answer is:")), [" (A)", " (B)"]))];
        static double[] P(IReadOnlyList<IReadOnlyList<ContinuationScore>> s) =>
            [.. s.Select(c => c[0].TokenCount + c[1].TokenCount == 0 ? 0.5 : 1 / (1 + Math.Exp(c[1].LogProb - c[0].LogProb)))];

        var reference = P(await echoed.ScoreAsync(requests, Token));
        var single = await top.ScoreAsync(requests, Token);
        var sampled = await votes.ScoreAsync(requests, Token);
        Assert.All(single.SelectMany(c => c), c => Assert.Equal(ScoringMethod.TopLogprobs, c.Method));
        Assert.All(sampled.SelectMany(c => c), c => Assert.Equal(ScoringMethod.Votes, c.Method));
        // Through /completions the next token after " (" is the label and ")" follows it almost surely: the echoed label.
        // Through /chat/completions the reply's first token is " (" as often as a label, so only the side agrees.
        if (!chat) Assert.Equal(reference, P(single), (a, b) => Math.Abs(a - b) <= 1e-4);
        Assert.All(P(single).Concat(P(sampled)), p => Assert.True(p > 0.5, $"{p} where the echoed labels are {string.Join(", ", reference)}"));
        Assert.All(sampled, c => Assert.True(c[0].TokenCount + c[1].TokenCount >= 12, "most of 16 replies name (A) or (B)"));
    }

    [Fact]
    public void CritiqueReviseAndLabelStagesOverHttpGiveTheLocalPathsTextsAndLabels()
    {
        string root = Directory.CreateTempSubdirectory("cai-remote-stages-").FullName;
        try
        {
            string recipe = WriteRecipe(root, "served", 5, $" {{ endpoint: \"{new Uri(server.Url, "v1")}\", model: {ModelName}, score_max_tokens: 0 }}",
                "{ id: initial, use: generate, with: { prompt_sets: [red_team], max_prompts: 2, max_new_tokens: 12, batch_size: 2 } }",
                "{ id: revise-served, use: critique-revise, critic: plain, reviser: default, with: { model: feedback, temperature: 0, rounds: 1, max_new_tokens: 12, few_shot_examples: 0 } }",
                "{ id: revise-local, use: critique-revise, critic: plain, reviser: default, with: { model: policy, temperature: 0, rounds: 1, max_new_tokens: 12, few_shot_examples: 0 } }",
                "{ id: pairs, use: sample-pairs, with: { max_prompts: 3, n: 2, max_new_tokens: 12, batch_size: 6 } }",
                "{ id: labels-served, use: label, judge: multiple-choice, with: { model: feedback, both_orders: true } }",
                "{ id: labels-local, use: label, judge: multiple-choice, with: { model: policy, both_orders: true } }");
            string run = RunInProcess(recipe, Path.Combine(root, "runs"));

            var served = Rows(run, "revise-served");
            Assert.Equal(2, served.Count);
            Assert.Equal(Rows(run, "revise-local").Select(r => r["critiques"]!.ToJsonString() + r["revisions"]!.ToJsonString()),
                served.Select(r => r["critiques"]!.ToJsonString() + r["revisions"]!.ToJsonString()));
            Assert.Contains(served, r => ((string)r["revisions"]![0]!).Trim().Length > 0);
            Assert.True((double)JsonNode.Parse(File.ReadAllText(Path.Combine(run, "revise-served", "done.json")))!["outcome"]!["metrics"]!["remote_requests"]! > 0);
            var labels = Rows(run, "labels-served");
            Assert.Equal(3, labels.Count);
            Assert.Equal(Rows(run, "labels-local").Select(r => (double)r["p_a"]!), labels.Select(r => (double)r["p_a"]!),
                (a, b) => Math.Abs(a - b) <= 1e-4);
            Assert.Contains(labels, r => (double)r["p_a"]! is > 0.01 and < 0.99); // soft labels, not saturated ones
            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "labels-served", "done.json")))!["outcome"]!["metrics"]!;
            Assert.Equal(6, (double)metrics["remote_requests"]!); // 3 pairs in both orders, one request each
            Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(run, "labels-local", "done.json")))!["outcome"]!["metrics"]!["remote_requests"]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task SigkilledRemoteLabelStageResumesWithoutResendingCachedAnswersAndReportsEachJudge()
    {
        const string key = "sk-remote-e2e-0123456789";
        using var judges = new DisposableList<FakeOpenAiServer>([new(salt: 0), new(salt: 1), new(salt: 2)]);
        string root = Directory.CreateTempSubdirectory("cai-remote-e2e-").FullName;
        try
        {
            string members = string.Concat(judges.Items.Select(s =>
                $"\n    - {{ endpoint: \"{s.Endpoint}\", model: {FakeOpenAiServer.ModelName}, api_key_env: CAI_REMOTE_E2E_KEY, max_concurrency: 2, backoff_s: 0.01, timeout_s: 1, max_retries: 12 }}"));
            string recipe = WriteRecipe(root, "remote-e2e", 7, members,
                "{ id: pairs, use: sample-pairs, with: { prompt_sets: [red_team], max_prompts: 3, n: 3, max_new_tokens: 8, batch_size: 9 } }",
                "{ id: labels, use: label, judge: ensemble, with: { both_orders: true, batch_size: 3, members: [multiple-choice], combination: majority-vote } }");
            string runs = Path.Combine(root, "runs");

            // First run, in a child process: answer 12 requests, hold the rest, SIGKILL.
            var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            int answered = 0;
            foreach (var judge in judges.Items)
                judge.Fault = _ =>
                {
                    if (Interlocked.Increment(ref answered) <= 12) return null;
                    held.TrySetResult();
                    return FakeOpenAiServer.Error(503, "held", delay: TimeSpan.FromMinutes(5));
                };
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cai.dll"), "run", recipe, "--runs", runs, "--quiet"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = root,
                Environment = { ["CAI_REMOTE_E2E_KEY"] = key },
            };
            using (var process = Process.Start(start)!)
            {
                var stderr = process.StandardError.ReadToEndAsync(Token);
                var first = await Task.WhenAny(held.Task, process.WaitForExitAsync(Token), Task.Delay(TimeSpan.FromMinutes(3), Token));
                Assert.True(first == held.Task, $"the run ended (or hung) before the label stage sent 13 requests: {(process.HasExited ? await stderr : "")}");
                await Task.Delay(300, Token); // let the answered requests reach the cache
                process.Kill(entireProcessTree: true); // SIGKILL
                await process.WaitForExitAsync(Token);
            }
            string run = Directory.GetDirectories(Path.Combine(runs, "remote-e2e")).Single();
            string cache = Path.Combine(run, "labels", RemoteTextModel.CacheFolder);
            var cachedKeys = Directory.GetFiles(cache, "*.json").Select(Path.GetFileNameWithoutExtension).ToHashSet();
            var firstRun = judges.Items.SelectMany(s => s.Requests).ToList();
            Assert.NotEmpty(cachedKeys);
            Assert.All(firstRun, r => Assert.Equal($"Bearer {key}", r.Authorization));
            Assert.False(File.Exists(Path.Combine(run, "labels", "done.json")));

            // Resume in this process against a faulty schedule (seeded by arrival: 15 % 500, 10 % 429, 5 % held past the
            // 1 s timeout): every row comes back once, nothing cached is asked again.
            foreach (var judge in judges.Items)
                judge.Fault = r => new Random(r.Number * 7919 + judge.Salt).NextDouble() switch
                {
                    < 0.15 => FakeOpenAiServer.Error(500, "flaky"),
                    < 0.25 => FakeOpenAiServer.Error(429, "busy", retryAfter: "0"),
                    < 0.30 => FakeOpenAiServer.Error(200, "late", delay: TimeSpan.FromSeconds(3)),
                    _ => null,
                };
            var firstCounts = judges.Items.Select(s => s.Requests.Count).ToList();
            Environment.SetEnvironmentVariable("CAI_REMOTE_E2E_KEY", key);
            var error = new StringWriter();
            int exit;
            try
            {
                exit = CaiCommandLine.Run(["run", recipe, "--runs", runs, "--quiet", "--resume"], new StringWriter(), error);
            }
            finally
            {
                Environment.SetEnvironmentVariable("CAI_REMOTE_E2E_KEY", null);
            }
            Assert.True(exit == 0, error.ToString());
            var secondRun = judges.Items.SelectMany((s, i) => s.Requests.Skip(firstCounts[i])).ToList();
            Assert.DoesNotContain(secondRun, r => cachedKeys.Contains(r.Key));
            // Requests answered but not yet cached when the process died, or held: at most max_concurrency per endpoint.
            var firstKeys = firstRun.Select(r => r.Key).ToHashSet();
            Assert.InRange(secondRun.Count(r => firstKeys.Contains(r.Key)), 0, 2 * judges.Items.Count);

            var rows = Rows(run, "labels");
            Assert.Equal(9, rows.Count); // 3 prompts × 3 pairs, each once
            Assert.Equal(rows.Count, rows.Select(r => (string)r["id"]!).Distinct().Count());
            Assert.All(rows, row =>
            {
                var votes = row["members"]!.AsObject();
                Assert.Equal(["multiple-choice@feedback", "multiple-choice@feedback.1", "multiple-choice@feedback.2"], votes.Select(m => m.Key));
                double p = (double)row["p_a"]!;
                Assert.Equal(Math.Round(p * 4), p * 4, 1e-9); // both orders' majority votes: 0, ¼, ½, ¾ or 1
            });
            // The members are different models: some pair splits their votes.
            Assert.Contains(rows, row => row["members"]!.AsObject().Select(m => Math.Sign((double)m.Value! - 0.5)).Distinct().Count() > 1);
            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "labels", "done.json")))!["outcome"]!["metrics"]!;
            Assert.Equal(secondRun.Count, (double)metrics["remote_requests"]! + (double)metrics["remote_retries"]!); // every attempt reached a server
            Assert.True((double)metrics["remote_retries"]! > 0);
            Assert.True((double)metrics["remote_cached"]! >= 1);
            Assert.True((double)metrics["remote_prompt_tokens"]! > 0);

            string report = File.ReadAllText(Path.Combine(run, "report.md"));
            foreach (string member in new[] { "multiple-choice@feedback", "multiple-choice@feedback.1", "multiple-choice@feedback.2" })
                Assert.Contains($"| labels | member {member} |", report);
            Assert.Contains("| labels | ensemble |", report);
            Assert.Contains("remote_prompt_tokens", report);
            foreach (string file in Directory.EnumerateFiles(run, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain(key, File.ReadAllText(file));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void LabelRowsAndTheReportNameHowEachServedJudgeScored()
    {
        using var judges = new DisposableList<FakeOpenAiServer>([new(salt: 0), new(salt: 1), new(salt: 2)]);
        string root = Directory.CreateTempSubdirectory("cai-remote-scoring-").FullName;
        try
        {
            string Entry(int i, string settings) => $"\n    - {{ endpoint: \"{judges.Items[i].Endpoint}\", model: {FakeOpenAiServer.ModelName}, {settings} }}";
            string recipe = WriteRecipe(root, "scoring", 3,
                Entry(0, "scoring: top-logprobs") + Entry(1, "scoring: votes, votes: 4") + Entry(2, "scoring: top-logprobs, chat: true, top_logprobs: 3"),
                "{ id: pairs, use: sample-pairs, with: { prompt_sets: [red_team], max_prompts: 2, n: 3, max_new_tokens: 8, batch_size: 6 } }",
                "{ id: labels-votes, use: label, judge: multiple-choice, with: { model: feedback.1, both_orders: true } }",
                "{ id: labels-ensemble, use: label, judge: ensemble, with: { members: [multiple-choice], both_orders: true } }");
            string run = RunInProcess(recipe, Path.Combine(root, "runs"));

            var votes = Rows(run, "labels-votes");
            Assert.Equal(6, votes.Count);
            Assert.All(votes, row =>
            {
                Assert.Equal("votes", (string?)row["label_method"]);
                double p = (double)row["p_a"]!;
                Assert.Equal(Math.Round(p * 24), p * 24, 1e-9); // both orders' fractions of at most 4 votes
            });
            // 6 pairs × 2 orders × 4 votes, each vote its own request; the ensemble stage asks the same questions again.
            Assert.All(judges.Items[1].Requests, r => Assert.Contains("\"n\":1,", r.Body));
            var questions = judges.Items[1].Requests.Select(r => JsonNode.Parse(r.Body)!).GroupBy(b => (string)b["prompt"]!).ToList();
            Assert.InRange(questions.Count, 6, 12); // pairs of equal responses ask the same question
            Assert.All(questions, q => Assert.Equal(4, q.Select(b => (long)b["seed"]!).Distinct().Count()));
            var ensemble = Rows(run, "labels-ensemble");
            Assert.All(ensemble, row =>
            {
                Assert.Null(row["label_method"]); // mixed
                Assert.Equal("""{"multiple-choice@feedback":"top-logprobs","multiple-choice@feedback.1":"votes","multiple-choice@feedback.2":"top-logprobs"}""",
                    row["member_methods"]!.ToJsonString());
            });
            Assert.Contains(judges.Items[2].Requests, r => r.Path == "chat/completions" && r.Body.Contains("\"top_logprobs\":3"));
            string report = File.ReadAllText(Path.Combine(run, "report.md"));
            Assert.Contains("| label method |", report);
            Assert.Matches(@"\| labels-votes \| multiple-choice \| red_team \| \d+ \| [^|]+ \| \d+ \| votes \|", report);
            Assert.Matches(@"\| labels-ensemble \| ensemble \| red_team \| \d+ \| [^|]+ \| \d+ \| – \|", report);
            Assert.Matches(@"\| labels-ensemble \| member multiple-choice@feedback\.1 \| red_team \| \d+ \| [^|]+ \| \d+ \| votes \|", report);
            Assert.Matches(@"\| labels-ensemble \| member multiple-choice@feedback\.2 \| red_team \| \d+ \| [^|]+ \| \d+ \| top-logprobs \|", report);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A copy of the embedded model whose weights are moved by seeded noise (a tenth of each tensor's spread): a
    /// different checkpoint that still writes and judges like the base model most of the time.</summary>
    static string Perturbed(string root, string name, ulong seed)
    {
        string dir = Path.Combine(root, name);
        using var model = CausalLanguageModelLoader.Load(TinyModel);
        using var generator = new Generator(seed, CPU);
        using (no_grad())
            foreach (var parameter in model.parameters())
            {
                using var scope = NewDisposeScope();
                parameter.add_(randn(parameter.shape, generator: generator) * parameter.std() * 0.1);
            }
        CheckpointWriter.Save(model, dir, TextTokenizer.Load(TinyModel));
        return dir;
    }

    [Fact]
    public async Task ThreeServedCheckpointsVoteByMajorityAndTheReportHoldsEachMemberAndTheMajority()
    {
        string root = Directory.CreateTempSubdirectory("cai-remote-three-").FullName;
        try
        {
            // The base model (the class's server) and two checkpoints moved from it by different seeds, each in its own cai serve.
            var started = await Task.WhenAll(new[] { ("judge-a", 11UL), ("judge-b", 12UL) }.Select(m => Task.Run(() =>
                new Serve.ServeProcess(Perturbed(root, m.Item1, m.Item2), new Dictionary<string, string>(), "--max-batch", "32"))));
            using var a = started[0];
            using var b = started[1];
            string recipe = WriteRecipe(root, "three", 9, string.Concat(new[] { (server.Url, ModelName), (a.Url, "judge-a"), (b.Url, "judge-b") }
                    .Select(m => $"\n    - {{ endpoint: \"{new Uri(m.Item1, "v1")}\", model: {m.Item2}, score_max_tokens: 0 }}")),
                "{ id: pairs, use: sample-pairs, with: { prompt_sets: [red_team], max_prompts: 4, n: 3, max_new_tokens: 40, batch_size: 12 } }",
                "{ id: labels, use: label, judge: ensemble, with: { members: [multiple-choice], combination: majority-vote, both_orders: false, batch_size: 12 } }");
            string run = RunInProcess(recipe, Path.Combine(root, "runs"));

            var rows = Rows(run, "labels");
            Assert.Equal(12, rows.Count);
            string[] members = ["multiple-choice@feedback", "multiple-choice@feedback.1", "multiple-choice@feedback.2"];
            Assert.All(rows, row => Assert.Equal(members, row["members"]!.AsObject().Select(m => m.Key)));
            // Three different models: their own labels differ.
            Assert.All(members.Skip(1), member => Assert.Contains(rows,
                row => Math.Abs((double)row["members"]![member]! - (double)row["members"]![members[0]]!) > 1e-3));
            string report = File.ReadAllText(Path.Combine(run, "report.md"));
            string table = report[report.IndexOf("## AI feedback", StringComparison.Ordinal)..];
            foreach (string judge in members.Select(m => $"member {m}").Prepend("ensemble"))
                Assert.True(System.Text.RegularExpressions.Regex.IsMatch(table, $@"\| labels \| {System.Text.RegularExpressions.Regex.Escape(judge)} \| red_team \| [1-9]\d* \| \d+(\.\d+)? ?% \| \d+ \| logprobs \|"), table);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Writes root/name.yaml: the embedded policy, the harmless constitution and the red-team prompts, with
    /// <paramref name="feedback"/> after "feedback:" (one entry on its line, or list lines) and the stages as flow mappings.</summary>
    static string WriteRecipe(string root, string name, int seed, string feedback, params string[] stages)
    {
        string recipes = Path.Combine(SlCaiEndToEndFixture.RepositoryRoot(), "recipes");
        string recipe = Path.Combine(root, $"{name}.yaml");
        File.WriteAllLines(recipe, [
            $"name: {name}", $"seed: {seed}", "device: cpu", "models:", $"  policy: {{ path: {TinyModel} }}", $"  feedback:{feedback}",
            $"constitution: {Path.Combine(recipes, "constitutions", "harmless.yaml")}",
            "prompts:", $"  red_team: {Path.Combine(recipes, "prompts", "red-team.train.jsonl")}",
            "stages:", .. stages.Select(stage => $"  - {stage}")]);
        return recipe;
    }

    /// <summary>The rows of a finished stage of a run.</summary>
    static IReadOnlyList<JsonObject> Rows(string run, string stage) => JsonlRowStore.ReadCompleted(new StageLayout(Path.Combine(run, stage)));

    /// <summary>Runs a recipe written by <see cref="WriteRecipe"/> in this process; its run folder.</summary>
    static string RunInProcess(string recipe, string runs)
    {
        var error = new StringWriter();
        Assert.True(CaiCommandLine.Run(["run", recipe, "--runs", runs, "--quiet"], new StringWriter(), error) == 0, error.ToString());
        return Directory.GetDirectories(Path.Combine(runs, Path.GetFileNameWithoutExtension(recipe))).Single();
    }

    sealed class DisposableList<T>(IReadOnlyList<T> items) : IDisposable where T : IDisposable
    {
        public IReadOnlyList<T> Items => items;

        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }
}
