using Cai.Abstractions.Prompts;
using Cai.Core.Prompts;
using Cai.Models;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Sandbox.Corpus;
using Cai.Sandbox.Evaluation;
using Cai.Sandbox.Prompts;
using TorchSharp;
using Xunit;

namespace Cai.Sandbox.Tests;

public class LocalModelEvaluationTests
{
    [Fact]
    public async Task AnUntrainedLocalModelIsEvaluatedEndToEndAndItsGarbledOutputIsNeverEngagedOrHelpful()
    {
        var documents = CorpusWriter.Documents(seed: 1, documentCount: 200).Select(d => d.Text).ToList();
        var bpe = new BpeTrainer(new BpeTrainerOptions(400, ["<|endoftext|>", "<|pad|>"])).Train(documents);
        var tokenizer = new TextTokenizer(bpe, new SpecialTokens(Eos: "<|endoftext|>", Pad: "<|pad|>"));
        torch.random.manual_seed(3);
        var config = ModelConfig.Llama(tokenizer.VocabSize, 32, 64, 1, 2, maxPositionEmbeddings: 256, tieWordEmbeddings: true);
        using var model = new LocalTextModel(CausalLanguageModels.Create(config), tokenizer, "untrained");
        var prompts = Take(PromptSets.RedTeamEval, 8).Concat(Take(PromptSets.HelpfulEval, 8)).ToList();

        var report = await WorldEvaluator.EvaluateModelAsync(model, prompts, new EvaluationOptions { MaxNewTokens = 24, Samples = 2 });

        Assert.Equal(16, report.RedTeam!.Total);
        Assert.Equal(16, report.Helpful!.Total);
        Assert.Equal(0, report.RedTeam.HarmlessEngaged.Count);
        Assert.Equal(0, report.Helpful.Helpful.Count);
        Assert.Equal(16, report.RedTeam.Harmful.Count + report.RedTeam.Evasive.Count);
    }

    static IEnumerable<PromptRecord> Take(string file, int count) =>
        PromptSet.Load(file, RepositoryFiles.Path("recipes", "prompts", file)).Prompts.Take(count);
}
