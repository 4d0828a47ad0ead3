using Cai.Abstractions.Text;
using Cai.Models.Checkpoints;

namespace Cai.Models.Tests;

public class LocalTextModelTests
{
    [Fact]
    public async Task GeneratesScoresAndFormatsFromACheckpointDirectory()
    {
        using var dir = new ScratchDirectory();
        var tokenizer = TinyModels.Tokenizer();
        using (var model = TinyModels.Create(TinyModels.LlamaConfig(vocab: tokenizer.VocabSize, tied: true)))
            CheckpointWriter.Save(model, dir.Sub("ckpt"), tokenizer);
        Assert.True(File.Exists(Path.Combine(dir.Sub("ckpt"), "tokenizer.json")));

        using var local = LocalTextModel.Load(dir.Sub("ckpt"));
        Assert.Matches(@"@[0-9a-f]{12}$", local.Name);
        Assert.StartsWith(Path.GetFullPath(dir.Sub("ckpt")), local.Name);

        string prompt = local.FormatPrompt(Conversation.FromPrompt("what is this?"));
        Assert.Equal("\n\nHuman: what is this?\n\nAssistant:", prompt);

        var options = new GenerationOptions { Temperature = 0, MaxNewTokens = 5, NumReturnSequences = 2 };
        var generated = await local.GenerateAsync([prompt, "Hello"], options);
        Assert.Equal(2, generated.Count);
        Assert.All(generated, g => Assert.Equal(2, g.Count));
        Assert.Equal(generated[0][0].TokenIds, generated[0][1].TokenIds); // greedy samples agree
        Assert.Equal(tokenizer.Decode(generated[1][0].TokenIds.Where(t => t != tokenizer.EosTokenId)), generated[1][0].Text);

        var scores = await local.ScoreAsync([new ScoringRequest(prompt, [" it is a test", " hello"]), new ScoringRequest("Hello", [" world"])]);
        Assert.Equal([2, 1], scores.Select(s => s.Count));
        Assert.All(scores.SelectMany(s => s), s => Assert.True(s.LogProb < 0 && s.TokenCount > 0));
        Assert.Equal(tokenizer.Encode(" it is a test", addSpecialTokens: false).Count, scores[0][0].TokenCount);
    }

    [Fact]
    public async Task NonFiniteLogitsNameTheModel()
    {
        var tokenizer = TinyModels.Tokenizer();
        using var inner = TinyModels.Create(TinyModels.LlamaConfig(vocab: tokenizer.VocabSize));
        var broken = new WrappedModel(inner, inner.Config, (_, output) => output with { Logits = output.Logits.fill_(double.NaN) });
        var local = new LocalTextModel(broken, tokenizer, "broken-model@0123456789ab");
        var e = await Assert.ThrowsAsync<Cai.Models.Generation.NonFiniteLogitsException>(
            () => local.GenerateAsync(["Hello"], new GenerationOptions { MaxNewTokens = 3 }));
        Assert.StartsWith("model broken-model@0123456789ab: prompt 0, sample 0: The model's logits are not finite", e.Message);
    }

    [Fact]
    public async Task CancellationStopsBeforeWork()
    {
        using var dir = new ScratchDirectory();
        var tokenizer = TinyModels.Tokenizer();
        using (var model = TinyModels.Create(TinyModels.LlamaConfig(vocab: tokenizer.VocabSize)))
            CheckpointWriter.Save(model, dir.Sub("ckpt"), tokenizer);
        using var local = LocalTextModel.Load(dir.Sub("ckpt"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => local.GenerateAsync(["Hello"], new GenerationOptions(), cts.Token));
    }
}
