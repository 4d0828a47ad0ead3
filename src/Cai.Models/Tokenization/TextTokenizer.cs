using System.Text;
using Cai.Models.Training;
using Microsoft.ML.Tokenizers;

namespace Cai.Models.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer in the Hugging Face layout (tokenizer.json, or vocab.json + merges.txt), encoded by
/// Microsoft.ML.Tokenizers. Added tokens such as "&lt;|endoftext|&gt;" encode as single ids wherever they appear.
/// </summary>
public sealed class TextTokenizer
{
    private readonly BpeModel _model;
    private readonly TokenizerConfigFile _config;
    private readonly BpeTokenizer _bpe;
    private readonly bool[] _knownIds;

    /// <summary>Builds a tokenizer from a model and its special token roles.</summary>
    public TextTokenizer(BpeModel model, SpecialTokens specials, ChatFormat? chatFormat = null)
        : this(model, new TokenizerConfigFile(specials, chatFormat ?? ChatFormat.Default, [], new()), "the given model")
    {
    }

    private TextTokenizer(BpeModel model, TokenizerConfigFile config, string source)
    {
        _model = model;
        _config = config;
        BosTokenId = RoleId(config.Specials.Bos, "bos_token", source);
        EosTokenId = RoleId(config.Specials.Eos, "eos_token", source);
        PadTokenId = RoleId(config.Specials.Pad, "pad_token", source);
        if (config.Specials.AddBosToken && BosTokenId is null)
            throw new FormatException($"{source}: add_bos_token is true but no bos_token is set.");

        if (model.Vocab.Values.Concat(model.AddedTokens.Select(t => t.Id)).Any(id => id < 0))
            throw new FormatException($"{source}: token ids must not be negative.");
        var specials = model.AddedTokens.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        var vocab = new Dictionary<string, int>(model.Vocab, StringComparer.Ordinal);
        foreach (var (content, id) in specials) vocab.TryAdd(content, id);
        _bpe = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = model.Merges.Select(m => $"{m.Left} {m.Right}"),
            SpecialTokens = specials,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(ByteLevelPreTokenizer.CreateRegex(model.SplitPattern), specials),
        });
        VocabSize = model.Size;
        _knownIds = new bool[VocabSize];
        foreach (int id in vocab.Values) _knownIds[id] = true;
    }

    /// <summary>The BPE model (vocabulary, merges, added tokens).</summary>
    public BpeModel Model => _model;

    /// <summary>One more than the largest token id (Hugging Face's len(tokenizer)).</summary>
    public int VocabSize { get; }

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public int? PadTokenId { get; }

    /// <summary>The special token roles.</summary>
    public SpecialTokens SpecialTokens => _config.Specials;

    /// <summary>How conversations are rendered for this model.</summary>
    public ChatFormat ChatFormat => _config.ChatFormat;

    /// <summary>
    /// Loads tokenizer.json (preferred) or vocab.json + merges.txt from <paramref name="directory"/>, with special
    /// token roles from tokenizer_config.json / special_tokens_map.json.
    /// </summary>
    public static TextTokenizer Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Tokenizer directory not found: {directory}");
        var config = TokenizerConfigFile.Read(directory);
        string json = Path.Combine(directory, TokenizerJsonFile.FileName);
        string vocab = Path.Combine(directory, LegacyBpeFiles.VocabFileName);
        string merges = Path.Combine(directory, LegacyBpeFiles.MergesFileName);
        if (File.Exists(json)) return new TextTokenizer(TokenizerJsonFile.Read(json), config, json);
        if (File.Exists(vocab) && File.Exists(merges))
        {
            // Old layouts list their specials only in tokenizer_config.json; roles present in the vocab count as added.
            var model = LegacyBpeFiles.Read(vocab, merges, config.AddedTokensDecoder);
            var added = model.AddedTokens.ToList();
            foreach (string? role in new[] { config.Specials.Bos, config.Specials.Eos, config.Specials.Pad })
                if (role is not null && added.All(t => t.Content != role) && model.Vocab.TryGetValue(role, out int id))
                    added.Add(new AddedToken(id, role));
            return new TextTokenizer(model with { AddedTokens = added }, config, vocab);
        }
        throw new FileNotFoundException(
            $"No tokenizer in {directory}: expected {TokenizerJsonFile.FileName} or {LegacyBpeFiles.VocabFileName} + {LegacyBpeFiles.MergesFileName}.");
    }

    /// <summary>Token ids of <paramref name="text"/>, with the bos token first when add_bos_token is set.</summary>
    public IReadOnlyList<int> Encode(string text) => Encode(text, addSpecialTokens: true);

    /// <summary>Token ids of <paramref name="text"/>; <paramref name="addSpecialTokens"/> false never prepends bos.</summary>
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_model.NormalizeNfc) text = text.Normalize(NormalizationForm.FormC);
        var ids = _bpe.EncodeToIds(text);
        if (!addSpecialTokens || !SpecialTokens.AddBosToken) return ids;
        return [BosTokenId!.Value, .. ids];
    }

    /// <summary>Text of <paramref name="ids"/>, special tokens included.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var list = ids as IReadOnlyList<int> ?? ids.ToList();
        foreach (int id in list)
            if ((uint)id >= (uint)_knownIds.Length || !_knownIds[id]) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is not in the vocabulary.");
        return _bpe.Decode(list) ?? "";
    }

    /// <summary>The id of a token's exact text (vocabulary or added token), or null.</summary>
    public int? TokenToId(string token) => _model.FindId(token);

    /// <summary>Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerJsonFile.FileName), TokenizerJsonFile.Write(_model));
        _config.Write(directory, _model);
    }

    private int? RoleId(string? token, string key, string source) => token is null
        ? null
        : _model.FindId(token) ?? throw new FormatException($"{source}: {key} \"{token}\" is neither in the vocabulary nor an added token.");
}
