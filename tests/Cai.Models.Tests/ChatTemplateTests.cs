using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Models.Chat;
using Cai.Models.Tokenization;

namespace Cai.Models.Tests;

/// <summary>
/// Chat templates: the test templates in the style of each family (Fixtures/chat_templates/*.jinja) and the built-in
/// ones render every fixture conversation byte-identically to Python's jinja2 with Hugging Face's settings, with and
/// without a system prompt and the generation prompt; human-assistant renders exactly what ChatFormat renders; the
/// assistant spans cover the assistant text.
/// </summary>
public class ChatTemplateTests
{
    public static TheoryData<string> TemplateCaseNames() => [.. JinjaFixture.TemplateCases.Keys];

    [Theory]
    [MemberData(nameof(TemplateCaseNames))]
    public void TemplateRendersLikeJinja2(string name)
    {
        var c = JinjaFixture.TemplateCases[name];
        string template = c["template"]!.GetValue<string>();
        var tokens = c["tokens"]!.AsObject();
        string? bos = tokens["bos_token"]?.GetValue<string>(), eos = tokens["eos_token"]?.GetValue<string>();
        var chat = c["kind"]!.GetValue<string>() == "builtin"
            ? ChatTemplate.BuiltIn(template, bos, eos)
            : new ChatTemplate(File.ReadAllText(Path.Combine(JinjaFixture.Directory, template + ".jinja")), bos, eos);
        var messages = JinjaFixture.Fixture["conversations"]![c["conversation"]!.GetValue<string>()]!.AsArray()
            .Select(m => new ChatTemplate.Message(m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())).ToList();
        bool prompt = c["add_generation_prompt"]!.GetValue<bool>();
        var extra = JinjaFixture.Variables(c["extra"]!.AsObject());

        if (c["error"] is { } error)
        {
            var e = Assert.Throws<JinjaTemplateException>(() => chat.Render(messages, prompt, extra));
            Assert.Equal(JinjaErrorKind.Raised, e.Kind);
            Assert.Equal(error.GetValue<string>(), "TemplateError: " + e.RaisedMessage);
            return;
        }
        string expected = c["output"]!.GetValue<string>();
        Assert.Equal(expected, chat.Render(messages, prompt, extra));
        if (chat.Template.HasGenerationBlocks)
        {
            var rendering = chat.RenderWithAssistantSpans(messages, prompt, extra);
            Assert.Equal(expected, rendering.Text);
            Assert.Equal(JinjaFixture.Spans(c["generation_spans"]!.AsArray()), rendering.AssistantSpans);
        }
    }

    [Fact]
    public void HumanAssistantRendersWhatChatFormatRenders()
    {
        var template = ChatTemplate.BuiltIn("human-assistant");
        var format = ChatFormat.Default;
        var random = new Random(18);
        string[] words = ["hello", "What is 2 + 2?", "  spaced  ", "line\nbreak", "Human: fake", "{{ braces }}", "{% tag %}", "é😀", "", "\n\nAssistant:", "'quotes\""];
        int compared = 0;
        for (int n = 0; n < 200; n++)
        {
            var conversation = Conversation.FromPrompt(Text());
            int turns = random.Next(0, 6);
            for (int t = 0; t < turns; t++) conversation = conversation.Append(t % 2 == 0 ? Role.Assistant : Role.User, Text());
            if (conversation.Turns[^1].Role == Role.Assistant) conversation = conversation.Append(Role.User, Text());
            var messages = ChatTemplate.Messages(conversation);

            // The prompt: the conversation and the assistant cue.
            Assert.Equal(format.Render(conversation), template.Render(messages, addGenerationPrompt: true));
            // The transcript with the reply, as SFT sees it.
            string reply = Text();
            var withReply = messages.Append(new ChatTemplate.Message("assistant", reply)).ToList();
            Assert.Equal(format.Render(conversation) + format.RenderResponse(reply), template.Render(withReply, addGenerationPrompt: false));
            compared += 2;
        }
        Assert.Equal(400, compared);

        string Text() => string.Join(" ", Enumerable.Range(0, random.Next(1, 4)).Select(_ => words[random.Next(words.Length)]));
    }

    [Fact]
    public void HumanAssistantSpansAreTheRepliesAfterTheCue()
    {
        var conversation = Conversation.FromPrompt("Hi").Append(Role.Assistant, "Hello.").Append(Role.User, "Joke?").Append(Role.Assistant, "No.");
        var rendering = ChatTemplate.BuiltIn("human-assistant").RenderWithAssistantSpans(ChatTemplate.Messages(conversation));
        Assert.Equal("\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: Joke?\n\nAssistant: No.", rendering.Text);
        Assert.Equal([" Hello.", " No."], SpanTexts(rendering));
    }

    [Theory]
    [InlineData("chatml", "{0}<|im_end|>")]
    [InlineData("llama-3", "{0}<|eot_id|>")]
    [InlineData("mistral", " {0}</s>")]
    [InlineData("gemma", "{0}<end_of_turn>")]
    [InlineData("phi-3", "{0}<|end|>")]
    [InlineData("human-assistant", " {0}")]
    public void BuiltInSpansCoverExactlyTheAssistantTextAndItsEndOfTurn(string name, string span)
    {
        var messages = new List<ChatTemplate.Message>
        {
            new("system", "Be brief."), new("user", "Capital of France?"), new("assistant", "Paris."),
            new("user", "And of Italy?"), new("assistant", "Rome."),
        };
        var rendering = ChatTemplate.BuiltIn(name, "<s>", "</s>").RenderWithAssistantSpans(messages);
        Assert.Equal([string.Format(span, "Paris."), string.Format(span, "Rome.")], SpanTexts(rendering));
    }

    [Fact]
    public void WithoutGenerationBlocksSpansComeFromRenderingBoundaries()
    {
        var chatml = new ChatTemplate(File.ReadAllText(Path.Combine(JinjaFixture.Directory, "chatml.jinja")));
        Assert.False(chatml.Template.HasGenerationBlocks);
        var messages = new List<ChatTemplate.Message> { new("user", "Hi"), new("assistant", "Hello!"), new("user", "Bye"), new("assistant", "Bye!") };
        var rendering = chatml.RenderWithAssistantSpans(messages);
        Assert.Equal(chatml.Render(messages, addGenerationPrompt: false), rendering.Text);
        Assert.Equal(["Hello!<|im_end|>\n", "Bye!<|im_end|>\n"], SpanTexts(rendering));

        // With the generation prompt at the end the spans are the same; the cue is not assistant text.
        var prompted = chatml.RenderWithAssistantSpans(messages[..3], addGenerationPrompt: true);
        Assert.EndsWith("<|im_start|>assistant\n", prompted.Text);
        Assert.Equal(["Hello!<|im_end|>\n"], SpanTexts(prompted));
    }

    [Fact]
    public void BoundariesThatMoveWithLaterMessagesAreAnErrorNotWrongSpans()
    {
        // Mistral v0.3's style: the system message joins the last user turn, so earlier renderings are not prefixes.
        var mistral = new ChatTemplate(File.ReadAllText(Path.Combine(JinjaFixture.Directory, "mistral.jinja")), "<s>", "</s>");
        var messages = new List<ChatTemplate.Message> { new("system", "S"), new("user", "Hi"), new("assistant", "Hello"), new("user", "Bye") };
        var e = Assert.Throws<InvalidOperationException>(() => mistral.RenderWithAssistantSpans(messages));
        Assert.Contains("message 2", e.Message);
        Assert.Contains("{% generation %}", e.Message);
    }

    [Fact]
    public void TemplateErrorsSurfaceWithThePositionInTheTemplate()
    {
        var gemma = ChatTemplate.BuiltIn("gemma", "<bos>", "<eos>");
        var e = Assert.Throws<JinjaTemplateException>(() => gemma.Render([new("user", "a"), new("user", "b")], addGenerationPrompt: true));
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", e.RaisedMessage);
        Assert.StartsWith("gemma:", e.Message);
    }

    [Fact]
    public void ExtraVariablesReachTheTemplateButCannotReplaceItsOwn()
    {
        var template = new ChatTemplate("{{ bos_token }}{{ day }}{{ tools is none }}{{ eos_token is defined }}", bosToken: "<s>");
        Assert.Equal("<s>MondayTrueFalse", template.Render([], false, new Dictionary<string, object?> { ["day"] = "Monday" }));
        Assert.Throws<ArgumentException>(() => template.Render([], false, new Dictionary<string, object?> { ["messages"] = "x" }));
    }

    [Fact]
    public void BuiltInNamesAreTheFamilies()
    {
        Assert.Equal(["chatml", "llama-3", "mistral", "gemma", "phi-3", "human-assistant"], ChatTemplate.BuiltInNames);
        foreach (string name in ChatTemplate.BuiltInNames) Assert.True(ChatTemplate.BuiltIn(name).Template.HasGenerationBlocks, name);
        var e = Assert.Throws<ArgumentException>(() => ChatTemplate.BuiltIn("vicuna"));
        Assert.Contains("chatml, llama-3", e.Message);
    }

    [Fact]
    public void TheTemplateComesFromTokenizerConfigOrChatTemplateJinja()
    {
        var single = JsonNode.Parse("""{"chat_template": "{{ 'one' }}"}""")!.AsObject();
        Assert.Equal("{{ 'one' }}", ChatTemplate.SourceFromTokenizerConfig(single, "tokenizer_config.json"));
        Assert.Null(ChatTemplate.SourceFromTokenizerConfig(new JsonObject(), "tokenizer_config.json"));

        var named = JsonNode.Parse("""{"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}""")!.AsObject();
        Assert.Equal("D", ChatTemplate.SourceFromTokenizerConfig(named, "tokenizer_config.json"));
        Assert.Equal("T", ChatTemplate.SourceFromTokenizerConfig(named, "tokenizer_config.json", "tool_use"));
        var missing = Assert.Throws<FormatException>(() => ChatTemplate.SourceFromTokenizerConfig(named, "tokenizer_config.json", "rag"));
        Assert.Equal("tokenizer_config.json: \"chat_template\" has no template named 'rag' (it has 'tool_use', 'default').", missing.Message);
        Assert.Throws<FormatException>(() => ChatTemplate.SourceFromTokenizerConfig(JsonNode.Parse("""{"chat_template": 3}""")!.AsObject(), "x.json"));

        using var dir = new ScratchDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), single.ToJsonString());
        Assert.Equal("{{ 'one' }}", ChatTemplate.SourceFromDirectory(dir.Path));
        File.WriteAllText(Path.Combine(dir.Path, ChatTemplate.TemplateFileName), "{{ 'file' }}");
        Assert.Equal("{{ 'file' }}", ChatTemplate.SourceFromDirectory(dir.Path));
    }

    [Fact]
    public void ThePythonScriptRegeneratesTheCommittedFixture()
    {
        string python = Cai.Tests.Shared.Requirements.RequirePython("jinja2");
        using var dir = new ScratchDirectory();
        string output = Path.Combine(dir.Path, "expected.json");
        var start = new ProcessStartInfo(python) { ArgumentList = { JinjaFixture.ScriptPath, output }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "chat_templates.py took over two minutes");
        Assert.True(process.ExitCode == 0, stdout + stderr);
        var regenerated = JsonNode.Parse(File.ReadAllText(output))!.AsObject();
        // Another jinja2 version may render; the outputs must not differ.
        regenerated["jinja2"] = JinjaFixture.Fixture["jinja2"]!.DeepClone();
        Assert.True(JsonNode.DeepEquals(JinjaFixture.Fixture, regenerated), "expected.json differs from what chat_templates.py renders now; rerun it and review the diff");
    }

    private static string[] SpanTexts(ChatTemplate.Rendering rendering) =>
        rendering.AssistantSpans.Select(s => rendering.Text.Substring(s.Start, s.Length)).ToArray();
}
