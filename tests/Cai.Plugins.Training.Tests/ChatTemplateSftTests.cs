using Cai.Abstractions.Feedback;
using Cai.Abstractions.Text;
using Cai.Abstractions.Training;
using Cai.Models.Tokenization;
using Cai.Models.Training;
using Cai.Plugins.Training.Sft;

namespace Cai.Plugins.Training.Tests;

/// <summary>SFT rows of a policy with a ChatML template: the loss covers exactly the revision and its end-of-turn token.</summary>
public sealed class ChatTemplateSftTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cai-chatml-sft-").FullName;

    [Fact]
    public void ChatMlSftExamplesTrainOnTheAssistantTokensOnly()
    {
        var docs = Enumerable.Repeat(new[] { "Be brief. Capital of France? Paris. And of Italy? Rome.", "system user assistant" }, 5).SelectMany(x => x);
        var bpe = new BpeTrainer(new BpeTrainerOptions(300, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])).Train(docs);
        var tokenizer = new TextTokenizer(bpe, new SpecialTokens(Eos: "<|im_end|>", Pad: "<|endoftext|>")).WithChatFormat("chatml");
        var dialogue = new Conversation([new Turn(Role.System, "Be brief."), new Turn(Role.User, "Capital of France?"),
            new Turn(Role.Assistant, "Paris."), new Turn(Role.User, "And of Italy?")]);

        // As the train stage writes sft.jsonl for this policy.
        var (prompt, completion) = AssistantTokens.Split(tokenizer.ChatFormat, dialogue, "Rome.");
        string path = Path.Combine(_dir, SftRow.FileName);
        File.WriteAllText(path, new SftRow(RevisionId.Of("red_team/1/0", 1), prompt, completion, SftRow.Revision, 1).ToJson().ToJsonString() + "\n");

        var example = Assert.Single(SftExamples.Load(path, tokenizer, new SftOptions(), seed: 1));
        Assert.Equal("Rome.<|im_end|>", tokenizer.Decode(example.CompletionIds));
        Assert.Equal(tokenizer.ChatFormat.Render(dialogue), tokenizer.Decode(example.PromptIds));
        // The batch's labels are the completion tokens, nothing of the earlier turns.
        var batch = BatchCollator.Pad([example], tokenizer.PadTokenId!.Value, 512);
        var labelled = batch.Labels.Where(l => l != CausalLMBatch.IgnoreIndex).Select(l => (int)l).ToList();
        Assert.Equal("Rome.<|im_end|>", tokenizer.Decode(labelled));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
