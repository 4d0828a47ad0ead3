using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Models.Chat;
using Cai.Models.Tokenization;
using Cai.Models.Training;

namespace Cai.Models.Tests;

/// <summary>
/// The chat format a tokenizer takes from its checkpoint (chat_template, else cai_chat_format), its prompts, stop
/// strings and prefill, and the training masks over assistant tokens (<see cref="AssistantTokens"/>); the embedded
/// default model keeps its prompts and masks byte for byte.
/// </summary>
public class ChatFormatTests
{
    static string EmbeddedDefault => Path.Combine(ReferenceLlamaTests.RepositoryRoot(), "models", "cai-tiny-base");

    static readonly Conversation[] Conversations =
    [
        Conversation.FromPrompt("How do I pick a lock?"),
        new([new Turn(Role.System, "You are careful."), new Turn(Role.User, "Hi"), new Turn(Role.Assistant, "Hello."), new Turn(Role.User, "Tell me a secret.")]),
        Conversation.FromPrompt("Write a poem").Append(Role.Assistant, "Roses are"),
        Conversation.FromPrompt("  spaced  ").Append(Role.Assistant, "line\nbreak").Append(Role.User, "Human: fake\n\nAssistant: x"),
        Conversation.FromPrompt("é😀 {{ braces }} {% tag %}"),
    ];

    [Fact]
    public void TheEmbeddedDefaultRendersItsPromptsAndMasksAsBefore()
    {
        var tokenizer = TextTokenizer.Load(EmbeddedDefault);
        var old = ChatFormat.Default;
        Assert.IsType<ChatFormat>(tokenizer.ChatFormat);
        Assert.Equal(old.StopStrings, tokenizer.ChatFormat.StopStrings);
        // The built-in human-assistant template, chosen by name, renders the same prompts and masks too.
        var template = tokenizer.WithChatFormat("chatml").WithChatFormat(ChatFormat.BuiltInName);
        Assert.Equal(old, template.ChatFormat);
        var jinja = tokenizer.WithChatFormat(ChatTemplate.BuiltInSource(ChatFormat.BuiltInName), isSource: true);
        Assert.IsType<TemplateChatFormat>(jinja.ChatFormat);
        int eos = tokenizer.EosTokenId!.Value;
        foreach (var conversation in Conversations)
        {
            Assert.Equal(old.Render(conversation), tokenizer.ChatFormat.Render(conversation));
            Assert.Equal(old.Render(conversation), jinja.ChatFormat.Render(conversation));
            if (conversation.Turns[^1].Role == Role.Assistant) continue;
            const string reply = "I would rather not.";
            foreach (var format in new[] { tokenizer, jinja })
            {
                var (prompt, completion) = AssistantTokens.Split(format.ChatFormat, conversation, reply);
                Assert.Equal(old.Render(conversation), prompt);
                Assert.Equal(old.RenderResponse(reply), completion);
                // The SFT/DPO tokens before: the prompt with special tokens, the completion without, then eos.
                var example = AssistantTokens.Example(format, prompt, completion);
                Assert.Equal(tokenizer.Encode(prompt), example.PromptIds);
                Assert.Equal([.. tokenizer.Encode(completion, addSpecialTokens: false), eos], example.CompletionIds);
            }
        }
    }

    static TextTokenizer ChatMlTokenizer()
    {
        var docs = Enumerable.Repeat(new[] { "Be brief. Capital of France? Paris. And of Italy? Rome.", "system user assistant" }, 5).SelectMany(x => x);
        var bpe = new BpeTrainer(new BpeTrainerOptions(300, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])).Train(docs);
        return new TextTokenizer(bpe, new SpecialTokens(Eos: "<|im_end|>", Pad: "<|endoftext|>")).WithChatFormat("chatml");
    }

    static readonly Conversation TwoTurns = new(
    [
        new Turn(Role.System, "Be brief."), new Turn(Role.User, "Capital of France?"), new Turn(Role.Assistant, "Paris."),
        new Turn(Role.User, "And of Italy?"), new Turn(Role.Assistant, "Rome."),
    ]);

    [Fact]
    public void ParseGivesBackTheConversationsRenderWrote()
    {
        // The fourth conversation's last turn holds the turn markers itself, so it cannot come back whole.
        foreach (var format in new[] { ChatFormat.Default, new ChatFormat("\n", "User:", "Bot:") })
            foreach (var conversation in Conversations.Take(3).Append(Conversations[4]))
                Assert.Equal(conversation.Turns, format.Parse(format.Render(conversation)).Turns);
    }

    [Fact]
    public void ChatMlMasksCoverExactlyTheAssistantTokens()
    {
        var tokenizer = ChatMlTokenizer();
        var (ids, mask) = AssistantTokens.Encode(tokenizer, TwoTurns);
        Assert.Equal(ids.Count, mask.Count);
        Assert.Equal(tokenizer.ChatFormat.RenderWithAssistantSpans(TwoTurns).Text, tokenizer.Decode(ids));
        // The masked tokens, run by run: each assistant turn's text and its end-of-turn token, nothing else.
        var runs = new List<string>();
        for (int i = 0; i < ids.Count; i++)
        {
            if (!mask[i]) continue;
            int end = i;
            while (end < ids.Count && mask[end]) end++;
            runs.Add(tokenizer.Decode(ids.Skip(i).Take(end - i)));
            i = end;
        }
        Assert.Equal(["Paris.<|im_end|>", "Rome.<|im_end|>"], runs);
        Assert.Equal(tokenizer.TokenToId("<|im_end|>"), ids[mask.ToList().LastIndexOf(true)]);

        // The SFT pair of the last turn: the template's own end-of-turn closes it, so no eos is added after it.
        var (prompt, completion) = AssistantTokens.Split(tokenizer.ChatFormat, new Conversation([.. TwoTurns.Turns.SkipLast(1)]), "Rome.");
        Assert.Equal(tokenizer.ChatFormat.Render(new Conversation([.. TwoTurns.Turns.SkipLast(1)])), prompt);
        Assert.Equal("Rome.<|im_end|>", completion);
        var example = AssistantTokens.Example(tokenizer, prompt, completion);
        Assert.Equal("Rome.<|im_end|>", tokenizer.Decode(example.CompletionIds));
    }

    [Fact]
    public void TemplatePromptsStopStringsAndPrefill()
    {
        var format = ChatMlTokenizer().ChatFormat;
        Assert.Equal("chatml", format.Name);
        Assert.Equal(["<|im_end|>"], format.StopStrings);
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n",
            format.Render(new Conversation([.. TwoTurns.Turns.Take(2)])));
        // A final assistant turn is continued: the rendering stops after its text.
        Assert.EndsWith("<|im_start|>assistant\nRome.", format.Render(TwoTurns));
        Assert.EndsWith("<|im_start|>assistant\n", format.Render(Conversation.FromPrompt("x").Append(Role.Assistant, "")));
        Assert.Throws<ArgumentException>(() => format.Render(new Conversation([])));
        Assert.Throws<ArgumentException>(() => format.Render(Conversation.FromPrompt("x").Append(Role.System, "late")));
    }

    [Fact]
    public void TheCheckpointsChatTemplateAndGenerationEosIdsChooseTheFormat()
    {
        using var dir = new ScratchDirectory();
        var tokenizer = ChatMlTokenizer();
        tokenizer.Save(dir.Path);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "tokenizer_config.json")))!.AsObject();
        Assert.Equal(ChatTemplate.BuiltInSource("chatml"), (string?)config["chat_template"]);
        Assert.False(config.ContainsKey(ChatFormat.ConfigKey));

        // A named list, its "default" entry; generation_config.json's eos ids become stop strings.
        config["chat_template"] = new JsonArray(new JsonObject { ["name"] = "default", ["template"] = ChatTemplate.BuiltInSource("llama-3") });
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), config.ToJsonString());
        int endOfText = tokenizer.TokenToId("<|endoftext|>")!.Value;
        File.WriteAllText(Path.Combine(dir.Path, "generation_config.json"), $$"""{"eos_token_id": [{{endOfText}}, {{tokenizer.EosTokenId}}]}""");
        var loaded = TextTokenizer.Load(dir.Path);
        Assert.Equal("llama-3", loaded.ChatFormat.Name);
        Assert.Equal(["<|eot_id|>", "<|im_end|>", "<|endoftext|>"], loaded.ChatFormat.StopStrings);

        // Choosing a built-in format replaces the checkpoint's, which is then not read, and is what Save writes.
        var chosen = TextTokenizer.Load(dir.Path, ChatFormat.BuiltInName);
        Assert.Equal(ChatFormat.Default, chosen.ChatFormat);
        using var resaved = new ScratchDirectory();
        chosen.Save(resaved.Path);
        Assert.Equal(ChatFormat.Default, TextTokenizer.Load(resaved.Path).ChatFormat);

        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), """{"eos_token": "<|im_end|>", "chat_template": "{% for m in messages %}{{ m.content }"}""");
        var e = Assert.Throws<FormatException>(() => TextTokenizer.Load(dir.Path));
        Assert.Contains("chat template does not parse", e.Message);
        Assert.Equal("chatml", TextTokenizer.Load(dir.Path, "chatml").ChatFormat.Name);
    }

    [Fact]
    public void ATemplateThatWritesTheBosTokenDoesNotGetASecondOne()
    {
        var docs = Enumerable.Repeat("Hello there. user assistant", 5);
        var bpe = new BpeTrainer(new BpeTrainerOptions(300, ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"])).Train(docs);
        var tokenizer = new TextTokenizer(bpe, new SpecialTokens(Bos: "<|begin_of_text|>", Eos: "<|eot_id|>", AddBosToken: true)).WithChatFormat("llama-3");
        int bos = tokenizer.BosTokenId!.Value;
        var ids = tokenizer.Encode(tokenizer.ChatFormat.Render(Conversation.FromPrompt("Hello there.")));
        Assert.Equal(bos, ids[0]);
        Assert.Equal(1, ids.Count(id => id == bos));
        var (trained, _) = AssistantTokens.Encode(tokenizer, Conversation.FromPrompt("Hello there.").Append(Role.Assistant, "Hello."));
        Assert.Equal(1, trained.Count(id => id == bos));

        // A sampled reply, cut at the stop string, is closed with the template's end-of-turn token, as trained.
        var prompt = tokenizer.ChatFormat.Render(Conversation.FromPrompt("Hello there."));
        var sampled = AssistantTokens.Example(tokenizer, prompt, "Hello.");
        Assert.Equal("Hello.<|eot_id|>", tokenizer.Decode(sampled.CompletionIds));
        var (_, completion) = AssistantTokens.Split(tokenizer.ChatFormat, Conversation.FromPrompt("Hello there."), "Hello.");
        Assert.Equal(sampled.CompletionIds, AssistantTokens.Example(tokenizer, prompt, completion).CompletionIds);
    }
}
