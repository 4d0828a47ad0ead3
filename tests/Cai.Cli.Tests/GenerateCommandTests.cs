using System.Text.Json.Nodes;
using Cai.Cli;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using static TorchSharp.torch;

namespace Cai.Cli.Tests;

public class GenerateCommandTests
{
    private static string Fixture => Path.Combine(RepositoryRoot(), "tests", "Cai.Models.Tests", "Fixtures", "reference_llama");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CaiFramework.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("CaiFramework.sln not found above " + AppContext.BaseDirectory);
    }

    private static (int Exit, string Output, string Error) Cai(params string[] args) => GlobalConsoleCollection.Run(args);

    [Fact]
    public void GreedyJsonOutputMatchesThePythonReferenceImplementation()
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture, "expected_tokens.json")))!;
        string promptIds = string.Join(",", expected["prompt_ids"]!.AsArray().Select(n => n!.GetValue<int>()));
        var (exit, output, error) = Cai("generate", "--model", Fixture, "--prompt-ids", promptIds, "--temperature", "0",
            "--max-new-tokens", expected["max_new_tokens"]!.ToJsonString(), "--json");
        Assert.True(exit == 0, error);
        var line = JsonNode.Parse(Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)))!;
        Assert.Equal(expected["output_ids"]!.ToJsonString(), line["output_ids"]!.ToJsonString());
        Assert.Equal(expected["prompt_ids"]!.ToJsonString(), line["prompt_ids"]!.ToJsonString());
        Assert.Null(line["text"]); // the fixture has no tokenizer
        Assert.Equal(expected["output_ids"]!.AsArray().Count, line["generated_tokens"]!.GetValue<long>());
        Assert.True(line["seconds"]!.GetValue<double>() > 0);
        Assert.True(line["tokens_per_second"]!.GetValue<double>() > 0);
        Assert.Equal(line["decode_steps"]!.GetValue<int>(), line["host_transfers"]!.GetValue<long>());
        Assert.True(line["decode_steps"]!.GetValue<int>() >= expected["output_ids"]!.AsArray().Count);
    }

    [Fact]
    public void BatchPrintsOneObjectPerSequence()
    {
        var (exit, output, error) = Cai("generate", "--model", Fixture, "--prompt-ids", "1,7,21", "--batch", "4",
            "--max-new-tokens", "5", "--temperature", "0.8", "--seed", "3", "--json");
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal("[1,7,21]", l["prompt_ids"]!.ToJsonString()));
        Assert.Equal(lines.Sum(l => l["output_ids"]!.AsArray().Count), lines[0]["generated_tokens"]!.GetValue<long>());
        // Same seed, same output.
        var (_, again, _) = Cai("generate", "--model", Fixture, "--prompt-ids", "1,7,21", "--batch", "4",
            "--max-new-tokens", "5", "--temperature", "0.8", "--seed", "3", "--json");
        Assert.Equal(lines.Select(l => l["output_ids"]!.ToJsonString()), again.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["output_ids"]!.ToJsonString()));
    }

    [Fact]
    public void TextPromptNeedsATokenizer()
    {
        var (exit, _, error) = Cai("generate", "--model", Fixture, "--prompt", "hello");
        Assert.Equal(ErrorReport.BadInput, exit);
        Assert.Contains("has no tokenizer", error);
        Assert.Contains("--prompt-ids", error);
    }

    [Fact]
    public void PromptAndPromptIdsAreExclusive()
    {
        var (exit, _, error) = Cai("generate", "--model", Fixture, "--prompt", "hello", "--prompt-ids", "1,2");
        Assert.NotEqual(0, exit);
        Assert.Contains("exactly one of --prompt or --prompt-ids", error);
    }

    /// <summary>A tiny GPT-2 checkpoint with a byte-level BPE tokenizer (eos "&lt;|endoftext|&gt;") in a temporary folder.</summary>
    private static void WithTokenizerModel(Action<string, TextTokenizer> test)
    {
        string dir = Path.Combine(Path.GetTempPath(), "cai-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            var bpe = new BpeTrainer(new BpeTrainerOptions(280, ["<|endoftext|>"])).Train(Enumerable.Repeat("Hello world, hello there.", 5));
            var tokenizer = new TextTokenizer(bpe, new SpecialTokens(Eos: "<|endoftext|>"));
            manual_seed(1);
            using (var model = CausalLanguageModels.Create(ModelConfig.Gpt2(tokenizer.VocabSize, 16, 1, 2, 64)))
                CheckpointWriter.Save(model, dir, tokenizer);
            test(dir, tokenizer);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void TextPromptWithTokenizerPrintsText() => WithTokenizerModel((dir, tokenizer) =>
    {
        var (exit, output, error) = Cai("generate", "--model", dir, "--prompt", "Hello", "--max-new-tokens", "4", "--temperature", "0", "--json");
        Assert.True(exit == 0, error);
        var line = JsonNode.Parse(output.Trim())!;
        Assert.Equal(tokenizer.Encode("Hello").Count, line["prompt_ids"]!.AsArray().Count);
        var ids = line["output_ids"]!.AsArray().Select(n => n!.GetValue<int>()).Where(i => i != tokenizer.EosTokenId);
        Assert.Equal(tokenizer.Decode(ids), line["text"]!.GetValue<string>());
    });

    [Fact]
    public void IgnoreEosGeneratesToMaxNewTokensAndLeavesEosOutOfTheText() => WithTokenizerModel((dir, tokenizer) =>
    {
        var (exit, output, error) = Cai("generate", "--model", dir, "--prompt", "Hello", "--max-new-tokens", "60", "--temperature", "1",
            "--batch", "16", "--seed", "3", "--ignore-eos", "--json");
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(16, lines.Count);
        // The eos token was drawn (and generation went on).
        Assert.Contains(lines, l => l["output_ids"]!.AsArray().Any(id => id!.GetValue<int>() == tokenizer.EosTokenId));
        Assert.All(lines, l =>
        {
            Assert.Equal(60, l["output_ids"]!.AsArray().Count);
            Assert.Equal("length", l["finish_reason"]!.GetValue<string>());
            Assert.DoesNotContain("<|endoftext|>", l["text"]!.GetValue<string>());
        });
    });
}
