using System.Text.Json.Nodes;
using Cai.Models.Tokenization;

namespace Cai.Models.Tests;

/// <summary>A temp directory and hand-built Hugging Face tokenizer files for the tokenizer tests.</summary>
internal sealed class TokenizerTestFiles : IDisposable
{
    public const int EndOfTextId = 265;
    public static readonly string[] Merges = ["H e", "l l", "He ll", "Hell o", "Ġ w", "o r", "Ġw or", "l d", "Ġwor ld"];

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "cai-tok-" + Guid.NewGuid().ToString("N"));

    public TokenizerTestFiles() => System.IO.Directory.CreateDirectory(Directory);

    /// <summary>256 byte tokens (ids = byte values), then one id per merge in order (256..264).</summary>
    public static JsonObject Vocab()
    {
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[ByteLevelAlphabet.ToChar((byte)b).ToString()] = b;
        foreach (string merge in Merges) vocab[merge.Replace(" ", "")] = vocab.Count;
        return vocab;
    }

    public string WriteTokenizerJson(JsonNode? preTokenizer = null, string modelType = "BPE")
    {
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = EndOfTextId, ["content"] = "<|endoftext|>", ["special"] = true }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = preTokenizer ?? new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = modelType,
                ["vocab"] = Vocab(),
                // Newer tokenizers files write pairs as arrays; both forms must load.
                ["merges"] = new JsonArray([.. Merges.Select((m, i) => i % 2 == 0 ? (JsonNode)m : new JsonArray(m.Split(' ')[0], m.Split(' ')[1]))]),
            },
        };
        string path = Path.Combine(Directory, "tokenizer.json");
        File.WriteAllText(path, root.ToJsonString());
        WriteConfig(new JsonObject { ["eos_token"] = "<|endoftext|>", ["bos_token"] = new JsonObject { ["content"] = "<|endoftext|>" } });
        return path;
    }

    public void WriteConfig(JsonObject config) =>
        File.WriteAllText(Path.Combine(Directory, "tokenizer_config.json"), config.ToJsonString());

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
