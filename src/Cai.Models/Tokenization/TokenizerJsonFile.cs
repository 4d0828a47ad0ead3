using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cai.Models.Tokenization;

/// <summary>Reads and writes Hugging Face tokenizer.json files holding a byte-level BPE model.</summary>
public static class TokenizerJsonFile
{
    /// <summary>The file name in a model directory.</summary>
    public const string FileName = "tokenizer.json";

    /// <summary>Parses a tokenizer.json; refuses what is not byte-level BPE with an error naming the key.</summary>
    public static BpeModel Read(string path)
    {
        try
        {
            return Parse(path);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    private static BpeModel Parse(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new FormatException($"{path}: expected a JSON object.");
        var model = root["model"] as JsonObject ?? throw new FormatException($"{path}: missing \"model\".");
        string? type = model["type"]?.GetValue<string>();
        if (type != "BPE") throw new NotSupportedException($"{path}: model.type \"{type}\" is not supported; only \"BPE\" is.");
        if (model["byte_fallback"]?.GetValue<bool>() == true)
            throw new NotSupportedException($"{path}: model.byte_fallback (SentencePiece-style BPE) is not supported; only byte-level BPE is.");
        foreach (string key in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (!string.IsNullOrEmpty(model[key]?.GetValue<string>()))
                throw new NotSupportedException($"{path}: model.{key} is not supported by byte-level BPE.");

        var vocabNode = model["vocab"] as JsonObject ?? throw new FormatException($"{path}: missing model.vocab.");
        var vocab = new Dictionary<string, int>(vocabNode.Count, StringComparer.Ordinal);
        foreach (var (token, id) in vocabNode)
            vocab[token] = id?.GetValue<int>() ?? throw new FormatException($"{path}: model.vocab[\"{token}\"] has no id.");

        var merges = new List<(string, string)>();
        foreach (var merge in model["merges"] as JsonArray ?? throw new FormatException($"{path}: missing model.merges."))
            merges.Add(merge switch
            {
                JsonArray { Count: 2 } pair => (pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>()),
                JsonValue value => SplitMerge(value.GetValue<string>(), path),
                _ => throw new FormatException($"{path}: model.merges holds an entry that is neither \"a b\" nor [\"a\", \"b\"]."),
            });

        var added = new List<AddedToken>();
        foreach (var node in root["added_tokens"] as JsonArray ?? [])
        {
            if (node is not JsonObject token) throw new FormatException($"{path}: added_tokens holds a non-object.");
            added.Add(new AddedToken(
                token["id"]?.GetValue<int>() ?? throw new FormatException($"{path}: an added token has no \"id\"."),
                token["content"]?.GetValue<string>() ?? throw new FormatException($"{path}: an added token has no \"content\"."),
                token["special"]?.GetValue<bool>() ?? false));
        }

        return new BpeModel(vocab, merges, added, ReadSplitPattern(root["pre_tokenizer"], path), ReadNormalizer(root["normalizer"], path));
    }

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
                ["id"] = token.Id, ["content"] = token.Content, ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = false, ["special"] = token.Special,
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
