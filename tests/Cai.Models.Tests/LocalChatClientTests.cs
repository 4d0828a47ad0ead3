using Cai.Abstractions.Text;
using Cai.Models.Checkpoints;
using Microsoft.Extensions.AI;

namespace Cai.Models.Tests;

public class LocalChatClientTests
{
    [Fact]
    public void MessagesBecomeSystemUserAndAssistantTurns()
    {
        var conversation = LocalChatClient.ToConversation([
            new ChatMessage(ChatRole.System, "Be brief."),
            new ChatMessage(ChatRole.User, "Hi"),
            new ChatMessage(ChatRole.Assistant, "Hello."),
            new ChatMessage(ChatRole.User, "How are you?"),
        ]);
        Assert.Equal([new Turn(Role.System, "Be brief."), new Turn(Role.User, "Hi"), new Turn(Role.Assistant, "Hello."), new Turn(Role.User, "How are you?")],
            conversation.Turns);
        Assert.Throws<ArgumentException>(() => LocalChatClient.ToConversation([new ChatMessage(ChatRole.System, "Only instructions.")]));
    }

    [Fact]
    public async Task AnswersThroughTheLocalModel()
    {
        using var dir = new ScratchDirectory();
        var tokenizer = TinyModels.Tokenizer();
        using (var model = TinyModels.Create(TinyModels.LlamaConfig(vocab: tokenizer.VocabSize)))
            CheckpointWriter.Save(model, dir.Sub("ckpt"), tokenizer);
        using var local = LocalTextModel.Load(dir.Sub("ckpt"));
        IChatClient client = new LocalChatClient(local);
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "what is this?")], new ChatOptions { Temperature = 0, MaxOutputTokens = 6 });
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(local.Name, response.ModelId);
        Assert.NotNull(response.FinishReason);
        Assert.InRange(response.Usage!.OutputTokenCount!.Value, 1, 6);
        var expected = (await local.GenerateAsync([local.FormatPrompt(Conversation.FromPrompt("what is this?"))],
            new GenerationOptions { Temperature = 0, MaxNewTokens = 6, StopStrings = tokenizer.ChatFormat.StopStrings }))[0][0];
        Assert.Equal(expected.Text.Trim(), response.Text);
        Assert.Same(local, client.GetService(typeof(ITextModel)));
    }
}
