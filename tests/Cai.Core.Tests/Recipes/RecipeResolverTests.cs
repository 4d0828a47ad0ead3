using Cai.Abstractions.Plugins;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Stages;
using Cai.Abstractions.Input;
using Snapshooter.Xunit3;

namespace Cai.Core.Tests.Recipes;

public sealed class RecipeResolverTests : IDisposable
{
    readonly RecipeFixture _fixture = new();
    readonly PluginHost _host = new();

    string Errors(string recipe, bool trust = false) =>
        _fixture.Normalize(Assert.Throws<InputException>(() => RecipeResolver.Resolve(recipe, _host, RecipeFixture.Stages, trust)).Message);

    [Fact]
    public void ValidRecipeBindsStageAndPluginOptionsFromOneWith()
    {
        var recipe = RecipeResolver.Resolve(_fixture.Recipe(), _host, RecipeFixture.Stages);

        Assert.Equal(3, recipe.Recipe.Seed);
        Assert.Equal([Path.Combine(_fixture.Dir, "models", "tiny")], recipe.Models["feedback"]);
        Assert.Equal("harmless", recipe.Constitution.Name);
        Assert.Equal("It helps with possible burglary.", recipe.Constitution.FewShot[0].Critique);
        Assert.Equal("violence", recipe.Prompts["red_team"].Prompts[0].Category);
        var generate = Assert.IsType<GenerateOptions>(recipe.Stages[0].Options);
        Assert.Equal(32, generate.MaxNewTokens);
        Assert.Equal(1.0, generate.Temperature); // default
        var label = Assert.IsType<LabelOptions>(recipe.Stages[2].Options);
        Assert.False(label.BothOrders);
        var judge = recipe.Stages[2].Plugin(PluginKind.Judge);
        var options = judge.BindOptions(judge.Descriptor.OptionsType!);
        Assert.Equal(2.0, options.GetType().GetProperty("Bias")!.GetValue(options));
    }

    string WithFeedback(string feedback, string name) =>
        _fixture.Write(name, File.ReadAllText(_fixture.Recipe()).Replace("  feedback: policy", feedback));

    [Fact]
    public void ServedModelsAreResolvedByIdAndEnsembleMembersMayMixThemWithCheckpoints()
    {
        var recipe = RecipeResolver.Resolve(WithFeedback("""
              feedback:
                - { endpoint: "http://127.0.0.1:8000/v1/", model: big, max_concurrency: 2, timeout_s: 30, chat: true }
                - { endpoint: "https://example.org/v1", model: other, scoring: votes, votes: 4, chat_format: { human_prefix: "User:", assistant_prefix: "AI:" } }
                - { path: models/tiny }
              judges: feedback
            """, "remote.yaml"), _host, RecipeFixture.Stages);

        Assert.Equal(["big@http://127.0.0.1:8000/v1", "other@https://example.org/v1", Path.Combine(_fixture.Dir, "models", "tiny")],
            recipe.Models["feedback"]);
        Assert.Equal(recipe.Models["feedback"], recipe.Models["judges"]);
        var big = recipe.Remote["big@http://127.0.0.1:8000/v1"];
        Assert.Equal((2, 30.0, true, 6), (big.MaxConcurrency, big.TimeoutS, big.Chat, big.MaxRetries));
        var other = recipe.Remote["other@https://example.org/v1"];
        Assert.Equal(("AI:", ScoringMethod.Votes, 4), (other.ChatFormat.AssistantPrefix, other.Scoring, other.Votes));
        Assert.Equal(ScoringMethod.Logprobs, big.Scoring);
    }

    [Fact]
    public void BadServedModelsAreReportedWithFileLineAndColumn()
    {
        Environment.SetEnvironmentVariable("CAI_TEST_UNSET_KEY", null);
        string errors = Errors(WithFeedback("""
              feedback:
                - { endpoint: "ftp://host/v1", model: a }
                - { endpoint: "http://host:8000/v1", max_concurrency: 0, timeout_s: -1 }
                - { endpoint: "http://host:8000/v1", model: b, api_key_env: CAI_TEST_UNSET_KEY, chat: maybe }
                - { endpoint: "http://host:8000/v1", model: c, api_key: sk-123 }
                - { endpoint: "http://host:8000/v1", model: d, api_key_env: "sk-123" }
                - { endpoint: "http://host:8000/v1", model: e, scoring: top_logprobs, votes: 0 }
            """, "bad-remote.yaml"));
        Assert.Equal("""
            <dir>/bad-remote.yaml:6:19: 'endpoint' must be an http or https URL without query, fragment or credentials (e.g. http://127.0.0.1:8000/v1), got 'ftp://host/v1'
            <dir>/bad-remote.yaml:7:59: 'max_concurrency' must be in [1, 1024], got 0
            <dir>/bad-remote.yaml:7:73: 'timeout_s' must be in [0.01, 3600], got -1
            <dir>/bad-remote.yaml:7:7: missing required key 'model'
            <dir>/bad-remote.yaml:8:91: expected true or false, got 'maybe'
            <dir>/bad-remote.yaml:9:52: unknown key 'api_key' (expected: endpoint, model, api_key_env, max_concurrency, timeout_s, max_retries, backoff_s, chat, score_max_tokens, scoring, top_logprobs, votes, vote_temperature, chat_format)
            <dir>/bad-remote.yaml:10:65: 'api_key_env' must be an environment variable name (letters, digits, '_'), got 'sk-123'
            <dir>/bad-remote.yaml:11:61: expected one of logprobs, top-logprobs, votes, got 'top_logprobs'
            <dir>/bad-remote.yaml:11:82: 'votes' must be in [1, 256], got 0
            """.ReplaceLineEndings("\n"), errors.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ThePolicyIsNeverAServedModel() =>
        Assert.EndsWith("remote-policy.yaml:4:11: model role 'policy' is trained or loaded as weights and must be a checkpoint { path: ... }, "
                        + "not a served model (feedback roles may be served)",
            Errors(_fixture.Write("remote-policy.yaml", File.ReadAllText(_fixture.Recipe())
                .Replace("policy: { path: models/tiny }", "policy: { endpoint: \"http://host/v1\", model: m }"))));

    [Fact]
    public void AnApiKeyVariableThatIsNotSetIsReported()
    {
        Environment.SetEnvironmentVariable("CAI_TEST_UNSET_KEY", null);
        Assert.EndsWith("remote-key.yaml:6:65: 'api_key_env' names the environment variable CAI_TEST_UNSET_KEY, which is not set",
            Errors(WithFeedback("""
              feedback:
                - { endpoint: "http://host:8000/v1", model: b, api_key_env: CAI_TEST_UNSET_KEY }
            """, "remote-key.yaml")));
    }

    [Fact]
    public void AModelEntryCanChooseABuiltInChatFormat()
    {
        string recipe = _fixture.Write("chat.yaml", File.ReadAllText(_fixture.Recipe())
            .Replace("policy: { path: models/tiny }", "policy: { path: models/tiny, chat_format: chatml }"));
        var resolved = RecipeResolver.Resolve(recipe, _host, RecipeFixture.Stages);
        Assert.Equal("chatml", resolved.ChatFormatOf(Path.Combine(_fixture.Dir, "models", "tiny")));
        Assert.Null(RecipeResolver.Resolve(_fixture.Recipe(), _host, RecipeFixture.Stages).ChatFormatOf(Path.Combine(_fixture.Dir, "models", "tiny")));

        string bad = _fixture.Write("bad-chat.yaml", File.ReadAllText(_fixture.Recipe())
            .Replace("policy: { path: models/tiny }", "policy: { path: models/tiny, chat_format: vicuna }"));
        string errors = Errors(bad);
        Assert.Contains("chat_format", errors);
        Assert.Contains("chatml, llama-3, mistral, gemma, phi-3, human-assistant", errors);
    }

    [Fact]
    public void UnknownKeyIsReportedWithFileLineAndColumn() =>
        Snapshot.Match(Errors(_fixture.Recipe(extra: "sede: 1")));

    [Fact]
    public void BadPathsAreReported() =>
        Snapshot.Match(Errors(_fixture.Write("bad-paths.yaml", File.ReadAllText(_fixture.Recipe())
            .Replace("constitutions/harmless.yaml", "constitutions/missing.yaml").Replace("models/tiny", "models/none"))));

    [Fact]
    public void HashMismatchNamesTheFileAndBothHashes()
    {
        // The built assembly's hash changes with every build (it embeds the commit), so the snapshot holds a placeholder.
        string errors = Errors(_fixture.Recipe(sha: new string('0', 64)));
        string actual = Cai.Core.Plugins.FileHash.Sha256(_fixture.PluginPath);
        Assert.Contains($"file has {actual}", errors);
        Snapshot.Match(errors.Replace(actual, "<sha256 of the file>"));
    }

    [Fact]
    public void UnpinnedAssemblyNeedsTrustPlugins()
    {
        string recipe = _fixture.Write("unpinned.yaml", File.ReadAllText(_fixture.Recipe()).Replace("sha256:", "# sha256:"));
        Assert.Contains("is not pinned", Errors(recipe));
        Assert.Single(RecipeResolver.Resolve(recipe, _host, RecipeFixture.Stages, trustPlugins: true).Stages, s => s.Id == "labels");
    }

    [Fact]
    public void UnknownPluginAndStageKindAndOptionsAreReported() =>
        Snapshot.Match(Errors(_fixture.Recipe(stages: """
              - { id: initial, use: generate, with: { max_new_tokens: many, temprature: 1 } }
              - { id: labels, use: label, judge: nope }
              - { id: revise, use: critique-revise, judge: yaml-version }
              - { id: rl, use: reinforce }
            """)));

    [Fact]
    public void ExtendsOverridesKeysMergesStagesByIdAndResolvesPathsAgainstEachFile()
    {
        _fixture.Recipe();
        string child = _fixture.Write("variants/child.yaml", """
            extends: ../recipe.yaml
            seed: 9
            prompts:
              eval_red_team: ../prompts/red-team.jsonl
            stages:
              - { id: labels, with: { bias: -1.0 } }
              - { id: eval, use: evaluate, with: { prompt_sets: [eval_red_team] } }
            """);

        var recipe = RecipeResolver.Resolve(child, _host, RecipeFixture.Stages);

        Assert.Equal(9, recipe.Recipe.Seed);
        Assert.Equal("test", recipe.Recipe.Name);
        Assert.Equal(["initial", "pairs", "labels", "eval"], recipe.Stages.Select(s => s.Id));
        Assert.Equal(["red_team", "helpful", "eval_red_team"], recipe.Prompts.Keys);
        Assert.False(((LabelOptions)recipe.Stages[2].Options).BothOrders); // kept from the parent's with:
        var judge = recipe.Stages[2].Plugin(PluginKind.Judge);
        var options = judge.BindOptions(judge.Descriptor.OptionsType!);
        Assert.Equal(-1.0, options.GetType().GetProperty("Bias")!.GetValue(options));
        Assert.Equal(Path.Combine(_fixture.Dir, "constitutions", "harmless.yaml"), recipe.Recipe.Constitution);
    }

    [Fact]
    public void APromptSetDeclaresItsKindOrTakesItFromItsName()
    {
        string recipe = _fixture.Write("kinds.yaml", File.ReadAllText(_fixture.Recipe()).Replace(
            "  helpful: prompts/helpful.jsonl",
            "  helpful: prompts/helpful.jsonl\n  answers: { path: prompts/helpful.jsonl, kind: helpful }\n  eval_red_team: prompts/red-team.jsonl"));

        var prompts = RecipeResolver.Resolve(recipe, _host, RecipeFixture.Stages).Prompts;

        Assert.Equal(PromptSetKind.RedTeam, prompts["red_team"].Kind);
        Assert.Equal(PromptSetKind.Helpful, prompts["helpful"].Kind);
        Assert.Equal(PromptSetKind.Helpful, prompts["answers"].Kind);
        Assert.Equal(PromptSetKind.Eval, prompts["eval_red_team"].Kind);
        Assert.Equal(Path.Combine(_fixture.Dir, "prompts", "helpful.jsonl"), prompts["answers"].Path);
    }

    [Fact]
    public void ConstitutionAndPromptSetErrorsPointIntoTheirFiles()
    {
        _fixture.Write("constitutions/harmless.yaml", "name: broken\nprinciples:\n  - id: a\n    critique_request: x\n");
        _fixture.Write("prompts/helpful.jsonl", "{\"id\":\"h1\",\"prompt\":\"ok\"}\n{not json}\n");
        Snapshot.Match(Errors(_fixture.Recipe()));
    }

    public void Dispose()
    {
        _host.Dispose();
        _fixture.Dispose();
    }
}
