using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cai.Models.IO;

namespace Cai.Models.Tokenization;

/// <summary>
/// A tokenizer.json whose BPE works on characters rather than bytes: what Hugging Face converts SentencePiece BPE
/// models into (Llama-2, Mistral, TinyLlama, Gemma). Text runs through the added tokens, the normalizer (Prepend,
/// Replace "▁") and the pre-tokenizer (Metaspace) of <see cref="TokenizerJsonPipeline"/>; each word is split into
/// characters, a character outside the vocabulary becomes its UTF-8 bytes as "&lt;0xNN&gt;" tokens (byte_fallback)
/// or the unknown token, and merges apply lowest rank first, leftmost on ties, as Hugging Face's BPE model does.
/// Saving writes the tokenizer.json back as it was read.
/// </summary>
internal sealed class SentencePieceBpe : ITokenizerBackend
{
    private const int CachedWordLength = 256, CacheCapacity = 10_000;

    private readonly JsonObject _source;
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int> _vocabulary;
    private readonly string?[] _tokens;
    private readonly Dictionary<(int, int), (int Rank, int Id)> _merges;
    private readonly int[] _byteIds;
    private readonly int? _unkId;
    private readonly bool _fuseUnk, _ignoreMerges;
    private readonly AddedVocabulary _added;
    private readonly TokenizerJsonPipeline.PreTokenizer? _preTokenizer;
    private readonly TokenizerJsonPipeline.Decoder? _decoder;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    private SentencePieceBpe(JsonObject root, string path)
    {
        _source = root;
        var model = root["model"] as JsonObject ?? throw new FormatException($"{path}: missing \"model\".");
        string? type = model["type"]?.GetValue<string>();
        if (type != "BPE") throw new NotSupportedException($"{path}: model.type \"{type}\" is not supported; only \"BPE\" is.");
        if (model["dropout"]?.GetValue<double>() is double dropout && dropout > 0)
            throw new NotSupportedException($"{path}: model.dropout {dropout} is not supported (BPE dropout is for training).");
        foreach (string key in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (!string.IsNullOrEmpty(model[key]?.GetValue<string>()))
                throw new NotSupportedException($"{path}: model.{key} is not supported.");

        _vocab = TokenizerJsonFile.ReadVocab(model, path);
        AddedTokens = TokenizerJsonFile.ReadAddedTokens(root, path);
        foreach (var node in root["added_tokens"] as JsonArray ?? [])
            if (node?["single_word"]?.GetValue<bool>() == true)
                throw new NotSupportedException($"{path}: added token \"{node["content"]}\" has single_word = true, which is not supported.");

        _vocabulary = new Dictionary<string, int>(_vocab, StringComparer.Ordinal);
        foreach (var token in AddedTokens) _vocabulary[token.Content] = token.Id;
        _tokens = new string?[_vocabulary.Values.DefaultIfEmpty(-1).Max() + 1];
        foreach (var (token, id) in _vocab) _tokens[id] = token;
        foreach (var token in AddedTokens) _tokens[token.Id] = token.Content;

        _merges = [];
        foreach (var (left, right) in TokenizerJsonFile.ReadMerges(model, path))
        {
            if (!_vocab.TryGetValue(left, out int a) || !_vocab.TryGetValue(right, out int b) || !_vocab.TryGetValue(left + right, out int merged))
                throw new FormatException($"{path}: merge \"{left} {right}\" uses a token that is not in model.vocab.");
            _merges.TryAdd((a, b), (_merges.Count, merged));
        }

        bool byteFallback = model["byte_fallback"]?.GetValue<bool>() ?? false;
        _byteIds = new int[256];
        for (int b = 0; b < 256; b++) _byteIds[b] = byteFallback && _vocab.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
        if (model["unk_token"]?.GetValue<string>() is string unk)
            _unkId = _vocab.TryGetValue(unk, out int unkId) ? unkId : throw new FormatException($"{path}: model.unk_token \"{unk}\" is not in model.vocab.");
        _fuseUnk = model["fuse_unk"]?.GetValue<bool>() ?? false;
        _ignoreMerges = model["ignore_merges"]?.GetValue<bool>() ?? false;

        _added = new AddedVocabulary(AddedTokens, TokenizerJsonPipeline.Normalizer(root["normalizer"], path));
        _preTokenizer = TokenizerJsonPipeline.PreTokenizerOf(root["pre_tokenizer"], path);
        _decoder = TokenizerJsonPipeline.DecoderOf(root["decoder"], path);
        LeadingSpecialToken = TokenizerJsonFile.ReadLeadingSpecialToken(root["post_processor"]);
    }

    /// <summary>Builds the tokenizer of a parsed tokenizer.json; <paramref name="path"/> names it in errors.</summary>
    public static SentencePieceBpe Create(JsonObject root, string path) => new(root, path);

    public IReadOnlyDictionary<string, int> Vocabulary => _vocabulary;

    public IReadOnlyList<AddedToken> AddedTokens { get; }

    public string? LeadingSpecialToken { get; }

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        foreach (var segment in _added.Split(text))
        {
            if (segment.Id is int id)
            {
                ids.Add(id);
                continue;
            }
            var words = _preTokenizer?.Invoke(segment.Text, segment.AtStart) ?? [(segment.Text, segment.AtStart)];
            foreach (var (word, _) in words) ids.AddRange(EncodeWord(word));
        }
        return ids;
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var tokens = ids.Select(id => _tokens[id]!).ToList();
        return _decoder is null ? string.Join(" ", tokens) : string.Concat(_decoder(tokens));
    }

    public void Save(string directory) =>
        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerJsonFile.FileName),
            _source.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    private int[] EncodeWord(string word)
    {
        if (word.Length == 0) return [];
        if (_cache.TryGetValue(word, out var cached)) return cached;
        if (_ignoreMerges && _vocab.TryGetValue(word, out int whole)) return [whole];

        var symbols = new List<int>(word.Length);
        int? pendingUnk = null;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in word.EnumerateRunes())
        {
            if (_vocab.TryGetValue(rune.ToString(), out int id))
            {
                Flush();
                symbols.Add(id);
                continue;
            }
            var bytes = utf8[..rune.EncodeToUtf8(utf8)];
            bool allBytes = true;
            foreach (byte b in bytes) allBytes &= _byteIds[b] >= 0;
            if (allBytes)
            {
                Flush();
                foreach (byte b in bytes) symbols.Add(_byteIds[b]);
            }
            else if (_unkId is int unk)
            {
                if (!_fuseUnk) Flush();
                pendingUnk = unk;
            }
        }
        Flush();
        var result = Merge(symbols);
        if (word.Length <= CachedWordLength && _cache.Count < CacheCapacity) _cache.TryAdd(word, result);
        return result;

        void Flush()
        {
            if (pendingUnk is int unk) symbols.Add(unk);
            pendingUnk = null;
        }
    }

    // Hugging Face's Word::merge_all: repeatedly merge the adjacent pair of lowest rank (leftmost on ties).
    private int[] Merge(List<int> symbols)
    {
        int n = symbols.Count;
        var id = symbols.ToArray();
        if (n < 2) return id;
        var prev = new int[n];
        var next = new int[n];
        var alive = new bool[n];
        for (int i = 0; i < n; i++) (prev[i], next[i], alive[i]) = (i - 1, i + 1 < n ? i + 1 : -1, true);
        var queue = new PriorityQueue<(int Left, int NewId), (int Rank, int Left)>();
        void Push(int left)
        {
            if (left >= 0 && next[left] >= 0 && _merges.TryGetValue((id[left], id[next[left]]), out var m))
                queue.Enqueue((left, m.Id), (m.Rank, left));
        }
        for (int i = 0; i < n - 1; i++) Push(i);
        while (queue.TryDequeue(out var top, out _))
        {
            int left = top.Left;
            if (!alive[left] || next[left] < 0) continue;
            int right = next[left];
            if (!_merges.TryGetValue((id[left], id[right]), out var m) || m.Id != top.NewId) continue;
            id[left] = m.Id;
            alive[right] = false;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            Push(prev[left]);
            Push(left);
        }
        var merged = new List<int>(n);
        for (int i = 0; i >= 0; i = next[i]) merged.Add(id[i]);
        return [.. merged];
    }
}
