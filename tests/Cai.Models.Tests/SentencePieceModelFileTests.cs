using System.Text.Json.Nodes;
using Cai.Models.Tokenization;

namespace Cai.Models.Tests;

/// <summary>
/// SentencePiece tokenizer.model files trained by Google's sentencepiece (Fixtures/reference_sentencepiece.py) encode
/// and decode here as sentencepiece does; the script's output is checked in, and rerun when python has sentencepiece.
/// </summary>
public class SentencePieceModelFileTests
{
    static string FixtureDirectory => FixtureScripts.Path("sentencepiece");

    public static TheoryData<string> SupportedModels => ["bpe_byte_fallback.model", "bpe.model", "unigram.model"];

    [Theory]
    [MemberData(nameof(SupportedModels))]
    public void EncodesAndDecodesAsSentencePiece(string model) => AssertMatchesReference(FixtureDirectory, model);

    [Fact]
    public void ThePythonScriptsModelsEncodeAsItsSentencePiece()
    {
        // The committed fixture is what the other tests use; this reruns sentencepiece itself when it is installed.
        using var dir = new ScratchDirectory();
        FixtureScripts.Run("reference_sentencepiece.py", dir.Path, "sentencepiece");
        foreach (string model in SupportedModels) AssertMatchesReference(dir.Path, model);
    }

    [Fact]
    public void ByteFallbackRoundTripsCharactersOutsideTheVocabulary()
    {
        using var dir = ModelDirectory("bpe_byte_fallback.model");
        var tokenizer = TextTokenizer.Load(dir.Path);
        foreach (string text in new[] { "Zürich 你好 🙂🚀 ∮ Ångström", "\ttabs\nand newlines\r\n", "  two leading spaces" })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        // "Z" was never seen in training: it is the byte piece <0x5A>.
        Assert.Contains(tokenizer.TokenToId("<0x5A>")!.Value, tokenizer.Encode("Z"));
    }

    [Fact]
    public void AddedTokensFromTheConfigSplitTheTextAndBosIsAddedOnce()
    {
        using var dir = ModelDirectory("bpe_byte_fallback.model");
        WriteConfig(dir.Path, new JsonObject
        {
            ["bos_token"] = "<s>", ["eos_token"] = "</s>", ["add_bos_token"] = true,
            ["added_tokens_decoder"] = new JsonObject
            {
                ["1"] = new JsonObject { ["content"] = "<s>", ["special"] = true },
                ["2"] = new JsonObject { ["content"] = "</s>", ["special"] = true },
                ["360"] = new JsonObject { ["content"] = "<|user|>", ["special"] = true, ["rstrip"] = true },
            },
        });
        var tokenizer = TextTokenizer.Load(dir.Path);
        var plain = TextTokenizer.Load(ModelOnly(dir, "plain"));

        // Legacy (the default): each piece between added tokens is encoded on its own, dummy prefix included;
        // rstrip makes the spaces after <|user|> part of it.
        var ids = tokenizer.Encode("<|user|>   hello</s>");
        Assert.Equal([1, 360, .. plain.Encode("hello"), 2], ids);
        Assert.Equal(361, tokenizer.VocabSize);
        Assert.Equal("<s><|user|>hello</s>", tokenizer.Decode(ids));
        // A text that starts with <s> gets no second one.
        Assert.Equal([1, .. plain.Encode("hello")], tokenizer.Encode("<s>hello"));
        Assert.Equal(plain.Encode("hello"), tokenizer.Encode("hello", addSpecialTokens: false));
    }

    [Fact]
    public void LegacyFalseGivesNoDummyPrefixAfterAnAddedToken()
    {
        using var dir = ModelDirectory("bpe_byte_fallback.model");
        var added = new JsonObject { ["360"] = new JsonObject { ["content"] = "<|user|>", ["special"] = true } };
        WriteConfig(dir.Path, new JsonObject { ["legacy"] = false, ["added_tokens_decoder"] = added });
        var tokenizer = TextTokenizer.Load(dir.Path);
        var plain = TextTokenizer.Load(ModelOnly(dir, "plain"));
        int hello = plain.TokenToId("▁hello")!.Value;

        Assert.Equal([.. plain.Encode("hi"), 360, .. plain.Encode("hello")], TextTokenizer.Load(Legacy(dir)).Encode("hi<|user|>hello"));
        var ids = tokenizer.Encode("hi<|user|>hello");
        Assert.Equal([.. plain.Encode("hi"), 360], ids.Take(plain.Encode("hi").Count + 1));
        Assert.DoesNotContain(hello, ids);
        Assert.Equal("hi<|user|>hello", tokenizer.Decode(ids));

        string Legacy(ScratchDirectory d)
        {
            string path = ModelOnly(d, "legacy");
            WriteConfig(path, new JsonObject { ["added_tokens_decoder"] = added.DeepClone() });
            return path;
        }
    }

    [Fact]
    public void SaveWritesTheModelFileBackAndReloads()
    {
        using var dir = ModelDirectory("unigram.model");
        WriteConfig(dir.Path, new JsonObject { ["eos_token"] = "</s>", ["legacy"] = true });
        var tokenizer = TextTokenizer.Load(dir.Path);
        string saved = Path.Combine(dir.Path, "saved");
        tokenizer.Save(saved);

        Assert.Equal(File.ReadAllBytes(Path.Combine(FixtureDirectory, "unigram.model")), File.ReadAllBytes(Path.Combine(saved, "tokenizer.model")));
        Assert.False(File.Exists(Path.Combine(saved, "tokenizer.json")));
        var reloaded = TextTokenizer.Load(saved);
        Assert.Equal(tokenizer.Encode("the assistant answers"), reloaded.Encode("the assistant answers"));
        Assert.Equal(2, reloaded.EosTokenId);
        Assert.Null(reloaded.Model);
        Assert.True(TextTokenizer.Exists(saved));
    }

    [Fact]
    public void TokenizerJsonIsPreferredOverTokenizerModel()
    {
        using var dir = ModelDirectory("bpe.model");
        using var json = new TokenizerTestFiles();
        json.WriteTokenizerJson();
        File.Copy(Path.Combine(json.Directory, "tokenizer.json"), Path.Combine(dir.Path, "tokenizer.json"));
        Assert.NotNull(TextTokenizer.Load(dir.Path).Model);
    }

    [Fact]
    public void UnsupportedModelsFailNamingFileAndOption()
    {
        using var dir = ModelDirectory("unigram_byte_fallback.model");
        string path = Path.Combine(dir.Path, "tokenizer.model");
        var error = Assert.Throws<NotSupportedException>(() => TextTokenizer.Load(dir.Path));
        Assert.Contains(path, error.Message);
        Assert.Contains("byte_fallback", error.Message);

        File.WriteAllBytes(path, [0x0A, 0x05, 0x01, 0x02]);
        var broken = Assert.Throws<FormatException>(() => TextTokenizer.Load(dir.Path));
        Assert.Contains(path, broken.Message);
    }

    static void AssertMatchesReference(string directory, string model)
    {
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "expected.json")))!["models"]![model]!;
        using var dir = new ScratchDirectory();
        File.Copy(Path.Combine(directory, model), dir.Sub("tokenizer.model"));
        var tokenizer = TextTokenizer.Load(dir.Path);

        Assert.Equal(reference["vocab_size"]!.GetValue<int>(), tokenizer.VocabSize);
        string unk = "<unk>";
        foreach (var item in reference["cases"]!.AsArray())
        {
            string text = item!["text"]!.GetValue<string>();
            int[] ids = [.. item["ids"]!.AsArray().Select(n => n!.GetValue<int>())];
            Assert.True(ids.SequenceEqual(tokenizer.Encode(text)), $"{model} encodes {Quote(text)} as [{string.Join(", ", tokenizer.Encode(text))}], sentencepiece as [{string.Join(", ", ids)}]");
            // sentencepiece shows the unknown piece as " ⁇ "; this tokenizer, like transformers, as its text.
            string decoded = item["decoded"]!.GetValue<string>().Replace(" \u2047 ", unk, StringComparison.Ordinal);
            Assert.True(decoded == tokenizer.Decode(ids), $"{model} decodes {Quote(text)} as {Quote(tokenizer.Decode(ids))}, sentencepiece as {Quote(decoded)}");
        }
    }

    static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    static ScratchDirectory ModelDirectory(string model)
    {
        var dir = new ScratchDirectory();
        File.Copy(Path.Combine(FixtureDirectory, model), dir.Sub("tokenizer.model"));
        return dir;
    }

    static string ModelOnly(ScratchDirectory dir, string name)
    {
        Directory.CreateDirectory(dir.Sub(name));
        File.Copy(dir.Sub("tokenizer.model"), Path.Combine(dir.Sub(name), "tokenizer.model"));
        return dir.Sub(name);
    }

    static void WriteConfig(string directory, JsonObject config) =>
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString());
}
