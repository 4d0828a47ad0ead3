using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cai.Models.Tokenization;

/// <summary>Reads Hugging Face tokenizer.json files (byte-level or SentencePiece-style BPE) and writes byte-level ones.</summary>
public static class TokenizerJsonFile
{
    /// <summary>The file name in a model directory.</summary>
    public const string FileName = "tokenizer.json";

    /// <summary>Parses a byte-level tokenizer.json; refuses what is not byte-level BPE with an error naming the key.</summary>
    public static BpeModel Read(string path) => Guarded(path, () => ParseByteLevel(ParseRoot(path), path));

    /// <summary>
    /// The tokenizer a tokenizer.json describes: byte-level BPE when its pre-tokenizer or decoder is ByteLevel (and
    /// byte_fallback is off), else SentencePiece-style BPE.
    /// </summary>
    internal static ITokenizerBackend Load(string path) => Guarded<ITokenizerBackend>(path, () =>
    {
        var root = ParseRoot(path);
        return IsByteLevel(root)
            ? new ByteLevelBpe(ParseByteLevel(root, path), path, ReadLeadingSpecialToken(root["post_processor"]))
            : SentencePieceBpe.Create(root, path);
    });

    private static T Guarded<T>(string path, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    private static JsonObject ParseRoot(string path) =>
        JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException($"{path}: expected a JSON object.");

    private static bool IsByteLevel(JsonObject root)
    {
        static bool HasByteLevel(JsonNode? node, string list) =>
            node?["type"]?.GetValue<string>() == "ByteLevel"
            || (node?[list] is JsonArray steps && steps.Any(step => HasByteLevel(step, list)));
        return root["model"]?["byte_fallback"]?.GetValue<bool>() != true
            && (HasByteLevel(root["pre_tokenizer"], "pretokenizers") || HasByteLevel(root["decoder"], "decoders"));
    }

    private static BpeModel ParseByteLevel(JsonObject root, string path)
    {
        var model = root["model"] as JsonObject ?? throw new FormatException($"{path}: missing \"model\".");
        string? type = model["type"]?.GetValue<string>();
        if (type != "BPE") throw new NotSupportedException($"{path}: model.type \"{type}\" is not supported; only \"BPE\" is.");
        if (model["byte_fallback"]?.GetValue<bool>() == true)
            throw new NotSupportedException($"{path}: model.byte_fallback (SentencePiece-style BPE) is not supported here; load it with TextTokenizer.Load.");
        foreach (string key in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (!string.IsNullOrEmpty(model[key]?.GetValue<string>()))
                throw new NotSupportedException($"{path}: model.{key} is not supported by byte-level BPE.");
        return new BpeModel(ReadVocab(model, path), ReadMerges(model, path), ReadAddedTokens(root, path),
            ReadSplitPattern(root["pre_tokenizer"], path), ReadNormalizer(root["normalizer"], path));
    }

    internal static Dictionary<string, int> ReadVocab(JsonObject model, string path)
    {
        var vocabNode = model["vocab"] as JsonObject ?? throw new FormatException($"{path}: missing model.vocab.");
        var vocab = new Dictionary<string, int>(vocabNode.Count, StringComparer.Ordinal);
        foreach (var (token, id) in vocabNode)
            vocab[token] = id?.GetValue<int>() ?? throw new FormatException($"{path}: model.vocab[\"{token}\"] has no id.");
        return vocab;
    }

    internal static List<(string, string)> ReadMerges(JsonObject model, string path)
    {
        var merges = new List<(string, string)>();
        foreach (var merge in model["merges"] as JsonArray ?? throw new FormatException($"{path}: missing model.merges."))
            merges.Add(merge switch
            {
                JsonArray { Count: 2 } pair => (pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>()),
                JsonValue value => SplitMerge(value.GetValue<string>(), path),
                _ => throw new FormatException($"{path}: model.merges holds an entry that is neither \"a b\" nor [\"a\", \"b\"]."),
            });
        return merges;
    }

    internal static List<AddedToken> ReadAddedTokens(JsonObject root, string path)
    {
        var added = new List<AddedToken>();
        foreach (var node in root["added_tokens"] as JsonArray ?? [])
        {
            if (node is not JsonObject token) throw new FormatException($"{path}: added_tokens holds a non-object.");
            bool special = token["special"]?.GetValue<bool>() ?? false;
            added.Add(new AddedToken(
                token["id"]?.GetValue<int>() ?? throw new FormatException($"{path}: an added token has no \"id\"."),
                token["content"]?.GetValue<string>() ?? throw new FormatException($"{path}: an added token has no \"content\"."),
                special)
            {
                LStrip = token["lstrip"]?.GetValue<bool>() ?? false,
                RStrip = token["rstrip"]?.GetValue<bool>() ?? false,
                Normalized = token["normalized"]?.GetValue<bool>() ?? !special,
            });
        }
        return added;
    }

    /// <summary>The special token a TemplateProcessing post-processor puts first in a single text, or null.</summary>
    internal static string? ReadLeadingSpecialToken(JsonNode? postProcessor) => postProcessor?["type"]?.GetValue<string>() switch
    {
        "TemplateProcessing" => postProcessor["single"]?.AsArray().FirstOrDefault()?["SpecialToken"]?["id"]?.GetValue<string>(),
        "Sequence" => postProcessor["processors"]?.AsArray().Select(ReadLeadingSpecialToken).FirstOrDefault(t => t is not null),
        _ => null,
    };

    /// <summary>Serialises a model in the Hugging Face tokenizers schema.</summary>
    public static string Write(BpeModel model)
    {
        var vocab = new JsonObject();
        foreach (var (token, id) in model.Vocab.OrderBy(p => p.Value)) vocab[token] = id;
        var merges = new JsonArray();
        foreach (var (left, right) in model.Merges) merges.Add($"{left} {right}");
        var added = new JsonArray();
        foreach (var token in model.AddedTokens.OrderBy(t => t.Id))
            added.Add(new JsonObject
            {
                ["id"] = token.Id, ["content"] = token.Content, ["single_word"] = false, ["lstrip"] = token.LStrip,
                ["rstrip"] = token.RStrip, ["normalized"] = token.Normalized, ["special"] = token.Special,
            });
        var byteLevel = (bool useRegex, bool trimOffsets = true) => new JsonObject
        {
            ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = trimOffsets, ["use_regex"] = useRegex,
        };
        JsonNode preTokenizer = model.SplitPattern == ByteLevelPreTokenizer.Gpt2Pattern
            ? byteLevel(true)
            : new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = model.SplitPattern },
                        ["behavior"] = "Isolated", ["invert"] = false,
                    },
                    byteLevel(false)),
            };
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = model.NormalizeNfc ? new JsonObject { ["type"] = "NFC" } : null,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = byteLevel(true, false),
            ["decoder"] = byteLevel(true),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab, ["merges"] = merges,
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    internal static (string, string) SplitMerge(string merge, string path)
    {
        int space = merge.IndexOf(' ');
        if (space <= 0 || space == merge.Length - 1 || merge.IndexOf(' ', space + 1) >= 0)
            throw new FormatException($"{path}: merge \"{merge}\" is not two tokens separated by one space.");
        return (merge[..space], merge[(space + 1)..]);
    }

    private static string ReadSplitPattern(JsonNode? node, string path)
    {
        string type = node?["type"]?.GetValue<string>() ?? "null";
        if (type == "ByteLevel")
        {
            if (node!["add_prefix_space"]?.GetValue<bool>() == true)
                throw new NotSupportedException($"{path}: pre_tokenizer.add_prefix_space = true is not supported.");
            if (node["use_regex"]?.GetValue<bool>() == false)
                throw new NotSupportedException($"{path}: a ByteLevel pre_tokenizer without a split regex is not supported.");
            return ByteLevelPreTokenizer.Gpt2Pattern;
        }
        if (type == "Sequence" && node!["pretokenizers"] is JsonArray { Count: 2 } steps
            && steps[0]?["type"]?.GetValue<string>() == "Split" && steps[1]?["type"]?.GetValue<string>() == "ByteLevel"
            && steps[1]!["use_regex"]?.GetValue<bool>() == false && steps[1]!["add_prefix_space"]?.GetValue<bool>() != true)
        {
            var split = steps[0]!;
            if (split["behavior"]?.GetValue<string>() != "Isolated" || split["invert"]?.GetValue<bool>() == true)
                throw new NotSupportedException($"{path}: pre_tokenizer Split must have behavior \"Isolated\" and invert false.");
            var pattern = split["pattern"];
            if (pattern?["Regex"] is JsonValue regex) return regex.GetValue<string>();
            if (pattern?["String"] is JsonValue literal) return Regex.Escape(literal.GetValue<string>());
            throw new FormatException($"{path}: pre_tokenizer Split has no pattern.Regex or pattern.String.");
        }
        throw new NotSupportedException(
            $"{path}: pre_tokenizer of type \"{type}\" is not supported; expected ByteLevel or Sequence[Split, ByteLevel].");
    }

    private static bool ReadNormalizer(JsonNode? node, string path) => node?["type"]?.GetValue<string>() switch
    {
        null => false,
        "NFC" => true,
        var type => throw new NotSupportedException($"{path}: normalizer of type \"{type}\" is not supported (only none or NFC)."),
    };
}
