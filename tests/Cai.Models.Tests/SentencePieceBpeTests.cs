using System.Text.Json.Nodes;
using Cai.Models.Tokenization;

namespace Cai.Models.Tests;

/// <summary>
/// SentencePiece-style tokenizer.json files (byte_fallback BPE over characters, as Hugging Face converts Llama-2,
/// Mistral and Gemma) built here, with the ids Hugging Face tokenizers gives worked out by hand from its algorithm.
/// </summary>
public class SentencePieceBpeTests
{
    // ids: <unk> 0, <s> 1, </s> 2, <0x00>..<0xFF> 3..258, then the pieces below from 259, then one id per merge.
    static readonly string[] _pieces = ["▁", "h", "e", "l", "o", "w", "r", "d", "a"];
    static readonly string[] _merges = ["▁ h", "l l", "▁h e", "▁he ll", "▁hell o", "▁ w", "o r", "▁w or", "l d", "▁wor ld"];

    static int Id(string token) => token switch
    {
        "<unk>" => 0,
        "<s>" => 1,
        "</s>" => 2,
        _ when token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) => 3 + Convert.ToInt32(token[3..5], 16),
        _ when Array.IndexOf(_pieces, token) is int i and >= 0 => 259 + i,
        _ => 259 + _pieces.Length + Array.FindIndex(_merges, m => m.Replace(" ", "") == token),
    };

    static JsonObject Llama2Json(bool byteFallback = true) => new()
    {
        ["version"] = "1.0",
        ["added_tokens"] = new JsonArray(Added(0, "<unk>"), Added(1, "<s>"), Added(2, "</s>")),
        ["normalizer"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["normalizers"] = new JsonArray(
                new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
        },
        ["pre_tokenizer"] = null,
        ["post_processor"] = new JsonObject
        {
            ["type"] = "TemplateProcessing",
            ["single"] = new JsonArray(
                new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
        },
        ["decoder"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["decoders"] = new JsonArray(
                new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                new JsonObject { ["type"] = "ByteFallback" },
                new JsonObject { ["type"] = "Fuse" },
                new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
        },
        ["model"] = new JsonObject
        {
            ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["continuing_subword_prefix"] = null,
            ["end_of_word_suffix"] = null, ["fuse_unk"] = true, ["byte_fallback"] = byteFallback, ["ignore_merges"] = false,
            ["vocab"] = Vocab(),
            ["merges"] = new JsonArray([.. _merges.Select(m => (JsonNode)m)]),
        },
    };

    // Mistral v0.3 / newer Llama-2 conversions: no normalizer, a Metaspace pre-tokenizer that prepends only at the start.
    static JsonObject MetaspaceJson(string prependScheme = "first", bool split = false)
    {
        var json = Llama2Json();
        json["normalizer"] = null;
        json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = prependScheme, ["split"] = split };
        json["decoder"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = prependScheme, ["split"] = split };
        return json;
    }

    static JsonObject Vocab()
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (int b = 0; b < 256; b++) vocab[$"<0x{b:X2}>"] = 3 + b;
        foreach (string piece in _pieces) vocab[piece] = vocab.Count;
        foreach (string merge in _merges) vocab[merge.Replace(" ", "")] = vocab.Count;
        return vocab;
    }

    static JsonObject Added(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
        ["normalized"] = false, ["special"] = true,
    };

    static TextTokenizer Load(TokenizerTestFiles files, JsonObject json, JsonObject? config = null)
    {
        File.WriteAllText(Path.Combine(files.Directory, "tokenizer.json"), json.ToJsonString());
        files.WriteConfig(config ?? new JsonObject { ["bos_token"] = "<s>", ["eos_token"] = "</s>", ["unk_token"] = "<unk>" });
        return TextTokenizer.Load(files.Directory);
    }

    static int[] Ids(params string[] tokens) => [.. tokens.Select(Id)];

    [Fact]
    public void MergesApplyByRankAndTheTemplateAddsBos()
    {
        using var files = new TokenizerTestFiles();
        var tokenizer = Load(files, Llama2Json());

        // "▁hello▁world": "▁ h" (rank 0), "l l", "▁h e", "▁he ll", "▁hell o", then "▁ w", "o r", "▁w or", "l d", "▁wor ld".
        Assert.Equal(Ids("<s>", "▁hello", "▁world"), tokenizer.Encode("hello world"));
        Assert.Equal(Ids("▁hello", "▁world"), tokenizer.Encode("hello world", addSpecialTokens: false));
        // Equal ranks merge leftmost first: "▁lll" is "▁", "ll", "l".
        Assert.Equal(Ids("▁", "ll", "l"), tokenizer.Encode("lll", addSpecialTokens: false));
        // The Prepend normalizer runs on each piece between added tokens (Llama-2's "legacy" layout).
        Assert.Equal(Ids("<s>", "</s>", "▁hello"), tokenizer.Encode("</s>hello"));
        // A text that already starts with <s> gets no second one.
        Assert.Equal(Ids("<s>", "▁hello"), tokenizer.Encode("<s>hello"));
        Assert.Equal(Ids("▁", "▁", "ll"), tokenizer.Encode(" ll", addSpecialTokens: false));
    }

    [Fact]
    public void CharactersOutsideTheVocabularyBecomeByteTokensAndRoundTrip()
    {
        using var files = new TokenizerTestFiles();
        var tokenizer = Load(files, Llama2Json());

        // "é" (C3 A9) and "🙂" (F0 9F 99 82, one character of two UTF-16 units) are not pieces; bytes never merge.
        Assert.Equal(Ids("▁h", "<0xC3>", "<0xA9>", "ll", "o", "▁", "<0xF0>", "<0x9F>", "<0x99>", "<0x82>"),
            tokenizer.Encode("héllo 🙂", addSpecialTokens: false));
        foreach (string text in new[] { "héllo 🙂", "Zürich 你好, naïve café!", " two  spaces\nand\ttabs ", "x🚀y", "" })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addSpecialTokens: false)));
        // The decoder strips one leading space (the prepended "▁"); added tokens decode as their text.
        Assert.Equal("<s> hello world</s>", tokenizer.Decode(Ids("<s>", "▁hello", "▁world", "</s>")));
        // An invalid UTF-8 run decodes to one U+FFFD per byte, as Hugging Face's ByteFallback decoder does.
        Assert.Equal("a\uFFFD\uFFFD", tokenizer.Decode(Ids("a", "<0xF0>", "<0x9F>")));
    }

    [Fact]
    public void WithoutByteFallbackUnknownCharactersFuseIntoOneUnk()
    {
        using var files = new TokenizerTestFiles();
        var tokenizer = Load(files, Llama2Json(byteFallback: false));
        Assert.Equal(Ids("▁", "<unk>", "ll", "<unk>"), tokenizer.Encode("你好ll🙂", addSpecialTokens: false));
    }

    [Fact]
    public void MetaspaceFirstPrependsOnlyAtTheStartOfTheText()
    {
        using var files = new TokenizerTestFiles();
        var tokenizer = Load(files, MetaspaceJson());

        Assert.Equal(Ids("<s>", "▁hello", "▁world"), tokenizer.Encode("hello world"));
        // After an added token the text does not start the input: no "▁" ("h", "e", "ll", "o").
        Assert.Equal(Ids("<s>", "</s>", "h", "e", "ll", "o"), tokenizer.Encode("</s>hello"));
        // The Metaspace decoder drops every "▁" of the first token and turns the others into spaces.
        Assert.Equal("hello world", tokenizer.Decode(Ids("▁hello", "▁world")));
        Assert.Equal("hello  world", tokenizer.Decode(tokenizer.Encode("hello  world", addSpecialTokens: false)));

        using var always = new TokenizerTestFiles();
        var split = Load(always, MetaspaceJson("always", split: true));
        Assert.Equal(Ids("<s>", "</s>", "▁hello"), split.Encode("</s>hello"));
        // Split at each "▁", merged with what follows: "▁ll▁" is the words "▁ll" and "▁".
        Assert.Equal(Ids("▁", "ll", "▁"), split.Encode("ll ", addSpecialTokens: false));
    }

    [Fact]
    public void AddedTokenOptionsAndTheConfigsAddBosTokenApply()
    {
        using var files = new TokenizerTestFiles();
        var json = Llama2Json();
        json["added_tokens"]!.AsArray().Add(new JsonObject
        {
            ["id"] = 300, ["content"] = "<|user|>", ["lstrip"] = true, ["rstrip"] = true, ["normalized"] = false, ["special"] = true,
        });
        var tokenizer = Load(files, json, new JsonObject { ["bos_token"] = "<s>", ["add_bos_token"] = false });

        // lstrip and rstrip take the spaces beside the token; the pieces around it are normalized on their own.
        Assert.Equal([Id("▁hello"), 300, Id("▁world")], tokenizer.Encode("hello  <|user|>  world"));
        Assert.Equal("hello<|user|> world", tokenizer.Decode(tokenizer.Encode("hello  <|user|>  world")));
        Assert.Equal(301, tokenizer.VocabSize);
        Assert.Equal(300, tokenizer.TokenToId("<|user|>"));
    }

    [Fact]
    public void SaveWritesTheTokenizerJsonBackAndReloads()
    {
        using var files = new TokenizerTestFiles();
        var tokenizer = Load(files, MetaspaceJson());
        using var saved = new TokenizerTestFiles();
        tokenizer.Save(saved.Directory);

        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(saved.Directory, "tokenizer.json")))!;
        Assert.True(JsonNode.DeepEquals(MetaspaceJson(), written));
        var reloaded = TextTokenizer.Load(saved.Directory);
        Assert.Equal(tokenizer.Encode("héllo world</s>"), reloaded.Encode("héllo world</s>"));
        Assert.True(reloaded.SpecialTokens.AddBosToken);
        Assert.Null(reloaded.Model);
    }

    public static TheoryData<string, string, JsonNode?> UnsupportedOptions => new()
    {
        { "normalizer", "Lowercase", new JsonObject { ["type"] = "Lowercase" } },
        { "pre_tokenizer", "Whitespace", new JsonObject { ["type"] = "Whitespace" } },
        { "pre_tokenizer", "Contiguous", new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["String"] = "x" }, ["behavior"] = "Contiguous" } },
        { "decoder", "WordPiece", new JsonObject { ["type"] = "WordPiece" } },
        { "decoder", "ByteLevel", new JsonObject { ["type"] = "ByteLevel" } },
    };

    [Theory]
    [MemberData(nameof(UnsupportedOptions))]
    public void UnsupportedStepsFailNamingFileAndKey(string key, string option, JsonNode? node)
    {
        using var files = new TokenizerTestFiles();
        var json = Llama2Json();
        json[key] = node;
        var error = Assert.Throws<NotSupportedException>(() => Load(files, json));
        Assert.Contains(Path.Combine(files.Directory, "tokenizer.json"), error.Message);
        Assert.Contains(key, error.Message);
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void UnsupportedModelOptionsFailNamingTheOption()
    {
        using var files = new TokenizerTestFiles();
        var dropout = Llama2Json();
        dropout["model"]!["dropout"] = 0.1;
        Assert.Contains("model.dropout", Assert.Throws<NotSupportedException>(() => Load(files, dropout)).Message);

        var singleWord = Llama2Json();
        singleWord["added_tokens"]![0]!["single_word"] = true;
        Assert.Contains("single_word", Assert.Throws<NotSupportedException>(() => Load(files, singleWord)).Message);

        var badMerge = Llama2Json();
        badMerge["model"]!["merges"]!.AsArray().Add("q z");
        Assert.Contains("\"q z\"", Assert.Throws<FormatException>(() => Load(files, badMerge)).Message);
    }
}
