using System.Text.Json.Nodes;
using Cai.Abstractions.Text;
using Cai.Models.Tokenization;

namespace Cai.Models.Tests;

public class TokenizerTests
{
    [Fact]
    public void ByteLevelAlphabetMapsSpaceAndNewlineLikeGpt2()
    {
        Assert.Equal('Ġ', ByteLevelAlphabet.ToChar((byte)' '));
        Assert.Equal('Ċ', ByteLevelAlphabet.ToChar((byte)'\n'));
        Assert.Equal('a', ByteLevelAlphabet.ToChar((byte)'a'));
        Assert.Equal(256, ByteLevelAlphabet.Characters.Distinct().Count());
    }

    [Fact]
    public void TokenizerJsonEncodesWithMergesAndRoundTrips()
    {
        using var files = new TokenizerTestFiles();
        files.WriteTokenizerJson();
        var tokenizer = TextTokenizer.Load(files.Directory);

        // "Hello" -> merge 259 "Hello", " world" -> merge 264 "Ġworld", "<|endoftext|>" -> one added id.
        Assert.Equal([259, 264, TokenizerTestFiles.EndOfTextId, 264], tokenizer.Encode("Hello world<|endoftext|> world"));
        Assert.Equal(266, tokenizer.VocabSize);
        Assert.Equal(TokenizerTestFiles.EndOfTextId, tokenizer.EosTokenId);
        Assert.Equal(TokenizerTestFiles.EndOfTextId, tokenizer.BosTokenId);
        Assert.Null(tokenizer.PadTokenId);

        foreach (string text in new[] { "wörld 你好 🙂\n\n\tend  ", "<|endoftext|>Human: x<|endoftext|>", "" })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        // Non-ASCII falls back to byte tokens: "ö" is two UTF-8 bytes.
        Assert.Equal([0xC3, 0xB6], tokenizer.Encode("ö"));
    }

    [Fact]
    public void SaveThenLoadKeepsModelSpecialsAndChatFormat()
    {
        using var files = new TokenizerTestFiles();
        files.WriteTokenizerJson();
        var chat = new ChatFormat("\n", "User:", "Bot:");
        var original = TextTokenizer.Load(files.Directory);
        var custom = new TextTokenizer(original.Model!, original.SpecialTokens with { Pad = "<|endoftext|>" }, chat);

        using var saved = new TokenizerTestFiles();
        custom.Save(saved.Directory);
        var reloaded = TextTokenizer.Load(saved.Directory);

        const string text = "Hello world, wörld<|endoftext|>";
        Assert.Equal(original.Encode(text), reloaded.Encode(text));
        Assert.Equal(chat, reloaded.ChatFormat);
        Assert.Equal(TokenizerTestFiles.EndOfTextId, reloaded.PadTokenId);
        var map = JsonNode.Parse(File.ReadAllText(Path.Combine(saved.Directory, "special_tokens_map.json")))!;
        Assert.Equal("<|endoftext|>", map["eos_token"]!.GetValue<string>());
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(saved.Directory, "tokenizer.json")))!;
        Assert.Equal("Ġ w", json["model"]!["merges"]![4]!.GetValue<string>());
    }

    [Fact]
    public void VocabJsonAndMergesTxtLoadWithSpecialsFromConfig()
    {
        using var files = new TokenizerTestFiles();
        var vocab = TokenizerTestFiles.Vocab();
        vocab["<|endoftext|>"] = TokenizerTestFiles.EndOfTextId;
        File.WriteAllText(Path.Combine(files.Directory, "vocab.json"), vocab.ToJsonString());
        File.WriteAllLines(Path.Combine(files.Directory, "merges.txt"), ["#version: 0.2", .. TokenizerTestFiles.Merges]);
        files.WriteConfig(new JsonObject { ["eos_token"] = "<|endoftext|>" });

        var tokenizer = TextTokenizer.Load(files.Directory);

        Assert.Equal([259, TokenizerTestFiles.EndOfTextId, 264], tokenizer.Encode("Hello<|endoftext|> world"));
        Assert.Equal(TokenizerTestFiles.EndOfTextId, tokenizer.EosTokenId);
        Assert.Equal("Hello<|endoftext|> world", tokenizer.Decode([259, TokenizerTestFiles.EndOfTextId, 264]));
    }

    [Fact]
    public void SplitRegexPreTokenizerLoads()
    {
        using var files = new TokenizerTestFiles();
        // Llama-3/Qwen2 layout: a Split regex then ByteLevel without its own regex. This pattern splits digits one by one.
        files.WriteTokenizerJson(new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = @" ?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+|\s+" }, ["behavior"] = "Isolated", ["invert"] = false },
                new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false }),
        });
        var tokenizer = TextTokenizer.Load(files.Directory);

        Assert.Equal([259, 264, '1', '2'], tokenizer.Encode("Hello world12"));
        using var saved = new TokenizerTestFiles();
        tokenizer.Save(saved.Directory);
        Assert.Equal(tokenizer.Model!.SplitPattern, TextTokenizer.Load(saved.Directory).Model!.SplitPattern);
    }

    [Fact]
    public void UnsupportedFilesFailNamingFileAndKey()
    {
        using var files = new TokenizerTestFiles();
        string path = files.WriteTokenizerJson(modelType: "Unigram");
        var error = Assert.Throws<NotSupportedException>(() => TextTokenizer.Load(files.Directory));
        Assert.Contains(path, error.Message);
        Assert.Contains("model.type", error.Message);

        files.WriteTokenizerJson();
        files.WriteConfig(new JsonObject { ["pad_token"] = "<pad>" });
        var missing = Assert.Throws<FormatException>(() => TextTokenizer.Load(files.Directory));
        Assert.Contains("pad_token \"<pad>\"", missing.Message);

        File.WriteAllText(Path.Combine(files.Directory, "tokenizer.json"), "{\"model\": {\"type\": 3}}");
        var wrongType = Assert.Throws<FormatException>(() => TextTokenizer.Load(files.Directory));
        Assert.Contains("tokenizer.json", wrongType.Message);

        using var empty = new TokenizerTestFiles();
        Assert.Throws<FileNotFoundException>(() => TextTokenizer.Load(empty.Directory));
    }

    [Fact]
    public void DecodeRejectsUnknownIds()
    {
        using var files = new TokenizerTestFiles();
        files.WriteTokenizerJson();
        var tokenizer = TextTokenizer.Load(files.Directory);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([1, 9999]));
    }

    [Fact]
    public void DefaultChatFormatRendersThePapersTranscript()
    {
        var conversation = Conversation.FromPrompt("How do I pick a lock?")
            .Append(Role.Assistant, "I can't help with that.")
            .Append(Role.User, "Why not?");

        string text = ChatFormat.Default.Render(conversation);

        Assert.Equal("\n\nHuman: How do I pick a lock?\n\nAssistant: I can't help with that.\n\nHuman: Why not?\n\nAssistant:", text);
        Assert.Equal(["\n\nHuman:"], ChatFormat.Default.StopStrings);
        Assert.Equal(" Sure.", ChatFormat.Default.RenderResponse("Sure."));
        Assert.Equal("\nUser: hi\nBot:", new ChatFormat("\n", "User:", "Bot:").Render(Conversation.FromPrompt("hi")));
        Assert.Throws<ArgumentException>(() => ChatFormat.Default.Render(new Conversation([])));
    }

    [Fact]
    public void AddBosTokenPrependsBosOnlyWhenAsked()
    {
        using var files = new TokenizerTestFiles();
        files.WriteTokenizerJson();
        files.WriteConfig(new JsonObject { ["bos_token"] = "<|endoftext|>", ["add_bos_token"] = true });
        var tokenizer = TextTokenizer.Load(files.Directory);

        Assert.Equal([TokenizerTestFiles.EndOfTextId, 259], tokenizer.Encode("Hello"));
        Assert.Equal([259], tokenizer.Encode("Hello", addSpecialTokens: false));
    }
}
