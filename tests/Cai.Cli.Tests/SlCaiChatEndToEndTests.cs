using System.Text.Json.Nodes;
using Cai.Cli;
using Cai.Core.Runs;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;

namespace Cai.Cli.Tests;

/// <summary>
/// recipes/sl-cai-chat.yaml end to end on a tiny random-weight Llama checkpoint in Hugging Face's layout, with a
/// tokenizer_config.json that has a chat_template, made here; the model path is overridden by a child recipe
/// (<c>extends:</c>), as docs/real-models.md shows for a downloaded model.
/// </summary>
public sealed class SlCaiChatEndToEndTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("cai-chat-e2e-").FullName;

    public void Dispose() { if (Environment.GetEnvironmentVariable("CAI_KEEP_E2E") is null) Directory.Delete(_root, recursive: true); }

    const string ChatTemplate =
        "{% for m in messages %}{{ '<|' + m['role'] + '|>\\n' + m['content'] + '<|endoftext|>\\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

    /// <summary>Random weights (2 layers of width 32) over the embedded model's byte-level BPE vocabulary, and a chat template.</summary>
    static string ChatCheckpoint(string folder)
    {
        string base_ = Path.Combine(SlCaiEndToEndFixture.RepositoryRoot(), "models", "cai-tiny-base");
        var config = ModelConfig.Llama(1024, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4,
            numKeyValueHeads: 2, maxPositionEmbeddings: 4096, tieWordEmbeddings: true) with
        { EosTokenIds = [0], PadTokenId = 1 };
        TorchSharp.torch.manual_seed(11);
        using (var model = CausalLanguageModels.Create(config)) CheckpointWriter.Save(model, folder);
        File.Copy(Path.Combine(base_, "tokenizer.json"), Path.Combine(folder, "tokenizer.json"));
        File.Copy(Path.Combine(base_, "special_tokens_map.json"), Path.Combine(folder, "special_tokens_map.json"));
        var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(base_, "tokenizer_config.json")))!.AsObject();
        tokenizerConfig.Remove("cai_chat_format");
        tokenizerConfig["chat_template"] = ChatTemplate;
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), tokenizerConfig.ToJsonString());
        return folder;
    }

    [Fact]
    public void RunsOnAChatTemplateCheckpointAndReportsTheModelGradedLabels()
    {
        string model = ChatCheckpoint(Path.Combine(_root, "chat-model"));
        string recipe = Path.Combine(_root, "sl-cai-chat-tiny.yaml");
        File.WriteAllText(recipe, $$"""
            extends: {{Path.Combine(SlCaiEndToEndFixture.RepositoryRoot(), "recipes", "sl-cai-chat.yaml")}}
            name: sl-cai-chat-tiny
            device: cpu
            models:
              policy: { path: {{model}} }
            stages:
              - id: eval-base
                with: { max_prompts: 2, max_new_tokens: 6, grade_tokens: 3, batch_size: 4 }
              - id: initial
                with: { max_prompts: 3, max_new_tokens: 6, batch_size: 3 }
              - id: revise
                with: { rounds: 1, max_new_tokens: 6, batch_size: 3 }
              - id: sl-cai
                with: { epochs: 1, batch_size: 3 }
              - id: eval-sl-cai
                with: { max_prompts: 2, max_new_tokens: 6, grade_tokens: 3, batch_size: 4 }
            """);
        var error = new StringWriter();
        int exit = CaiCommandLine.Run(["run", recipe, "--runs", Path.Combine(_root, "runs"), "--quiet"], new StringWriter(), error);
        Assert.True(exit == 0, error.ToString());

        string run = Directory.GetDirectories(Path.Combine(_root, "runs", "sl-cai-chat-tiny")).Single();
        var labels = new[] { "harmful", "evasive", "harmless_engaged", "helpful", "unparsed" };
        foreach (string stage in new[] { "eval-base", "eval-sl-cai" })
        {
            var rows = JsonlRowStore.ReadCompleted(new StageLayout(Path.Combine(run, stage)));
            Assert.Equal(4, rows.Count); // 2 red-team + 2 helpful prompts, one sample each
            Assert.All(rows, r => Assert.Equal("model-graded", (string)r["evaluator"]!));
            Assert.All(rows, r => Assert.Contains((string)r["label"]!, labels));
        }
        string report = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("| stage | harmful | evasive | harmless-engaged | helpful | unparsed | responses |", report);
        Assert.Contains("| eval-sl-cai |", report);
        Assert.Contains("## Share of responses labelled harmful, by revision round", report);
        Assert.True(File.Exists(Path.Combine(run, "plots", "evaluation.png")));
    }

    [Fact]
    public void EvalWithARecipeLabelsWithTheRecipesEvaluator()
    {
        string model = ChatCheckpoint(Path.Combine(_root, "chat-model"));
        string repo = SlCaiEndToEndFixture.RepositoryRoot();
        string recipe = Path.Combine(_root, "keyword.yaml");
        File.WriteAllText(recipe, $$"""
            name: keyword-eval
            models: { policy: { path: {{model}} } }
            constitution: {{Path.Combine(repo, "recipes", "constitutions", "harmless.yaml")}}
            prompts: { eval_red_team: {{Path.Combine(repo, "recipes", "prompts", "chat", "red-team.eval.messages.jsonl")}} }
            stages:
              - id: e
                use: evaluate
                evaluator: keyword
                with:
                  prompt_sets: [eval_red_team]
                  keywords: { harmful: ["^"], evasive: ["never matched, as harmful matches first"] }
                  otherwise: fine
            """);
        string output = Path.Combine(_root, "eval.json");
        var error = new StringWriter();
        string prompts = Path.Combine(repo, "recipes", "prompts", "chat", "helpful.eval.messages.jsonl");
        int exit = CaiCommandLine.Run(["eval", "--model", model, "--prompts", prompts, "--recipe", recipe, "--limit", "3",
            "--max-new-tokens", "4", "--device", "cpu", "--json", "--out", output], new StringWriter(), error);
        Assert.True(exit == 0, error.ToString());

        var report = JsonNode.Parse(File.ReadAllText(output))!;
        Assert.Equal("keyword", (string)report["evaluator"]!);
        Assert.Equal(3, (int)report["responses"]!);
        Assert.Equal(3, (int)report["labels"]!["harmful"]!["count"]!);
        Assert.Equal(0, (int)report["labels"]!["fine"]!["count"]!);
        Assert.Equal(3, report["answers"]!.AsArray().Count);
    }
}
