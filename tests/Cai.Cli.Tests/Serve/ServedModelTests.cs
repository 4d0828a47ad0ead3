using Cai.Abstractions.Text;
using Cai.Cli.Serve;
using Cai.Models;
using static Cai.Cli.Tests.Serve.ServeProcess;

namespace Cai.Cli.Tests.Serve;

/// <summary>How chat requests render: through the model's chat format, system messages as its system turn.</summary>
public class ServedModelTests
{
    [Fact]
    public void ChatsRenderThroughTheModelsTemplateWithTheSystemTurn()
    {
        var local = LocalTextModel.Load(TinyModel);
        var conversation = new Conversation([new Turn(Role.System, "Be kind."), new Turn(Role.User, "Hi")]);
        using (var served = new ServedModel(local, "tiny", 64))
            Assert.Equal("Be kind.\n\nHuman: Hi\n\nAssistant:", served.RenderChat(conversation));

        var reloaded = LocalTextModel.Load(TinyModel, chatFormat: "gemma");
        using var gemma = new ServedModel(reloaded, "tiny", 64);
        Assert.Equal("<start_of_turn>user\nBe kind.\n\nHi<end_of_turn>\n<start_of_turn>model\n", gemma.RenderChat(conversation));
        // Gemma's template refuses roles that do not alternate: a 400 with the template's message.
        var e = Assert.Throws<ApiException>(() => gemma.RenderChat(Conversation.FromPrompt("a").Append(Role.User, "b")));
        Assert.Equal(400, e.Status);
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", e.Message);
    }
}
