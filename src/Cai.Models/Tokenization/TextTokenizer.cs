using Cai.Models.Chat;

namespace Cai.Models.Tokenization;

/// <summary>
/// A Hugging Face tokenizer: byte-level BPE (tokenizer.json, or vocab.json + merges.txt) encoded by
/// Microsoft.ML.Tokenizers, SentencePiece-style BPE from a tokenizer.json (byte_fallback, Metaspace; Llama-2, Mistral,
/// Gemma), or a SentencePiece tokenizer.model (BPE or Unigram). Added tokens such as "&lt;|endoftext|&gt;" encode as
/// single ids wherever they appear.
/// </summary>
public sealed class TextTokenizer
{
    private readonly ITokenizerBackend _backend;
    private readonly TokenizerConfigFile _config;
    private readonly bool[] _knownIds;

    /// <summary>Builds a tokenizer from a model and its special token roles.</summary>
    public TextTokenizer(BpeModel model, SpecialTokens specials, ChatFormat? chatFormat = null)
        : this(new ByteLevelBpe(model, "the given model"), new TokenizerConfigFile(specials, chatFormat ?? Tokenization.ChatFormat.Default, [], new()), "the given model")
    {
    }

    private TextTokenizer(ITokenizerBackend backend, TokenizerConfigFile config, string source)
    {
        // Without add_bos_token in tokenizer_config.json, the file's post-processor says whether texts start with bos.
        if (!config.SetsAddBosToken && backend.LeadingSpecialToken is { } leading && leading == config.Specials.Bos)
            config = config with { Specials = config.Specials with { AddBosToken = true } };
        _backend = backend;
        _config = config;
        if (backend.Vocabulary.Values.Any(id => id < 0)) throw new FormatException($"{source}: token ids must not be negative.");
        BosTokenId = RoleId(config.Specials.Bos, "bos_token", source);
        EosTokenId = RoleId(config.Specials.Eos, "eos_token", source);
        PadTokenId = RoleId(config.Specials.Pad, "pad_token", source);
        if (config.Specials.AddBosToken && BosTokenId is null)
            throw new FormatException($"{source}: add_bos_token is true but no bos_token is set.");
        VocabSize = backend.Vocabulary.Values.DefaultIfEmpty(-1).Max() + 1;
        _knownIds = new bool[VocabSize];
        foreach (int id in backend.Vocabulary.Values) _knownIds[id] = true;
        _source = source;
        ChatFormat = ChatFormatOf(config, source);
    }

    private readonly string _source;

    private IChatFormat ChatFormatOf(TokenizerConfigFile config, string source)
    {
        if (config.ChatTemplate is not { } template) return config.ChatFormat;
        string? name = ChatTemplate.BuiltInNames.FirstOrDefault(n => ChatTemplate.BuiltInSource(n) == template);
        try
        {
            var ends = new List<string>();
            if (config.Specials.Eos is { } eos) ends.Add(eos);
            foreach (int id in config.GenerationEosIds)
                if ((uint)id < (uint)_knownIds.Length && _knownIds[id]) ends.Add(_backend.Decode([id]));
            var chat = new ChatTemplate(template, config.Specials.Bos, config.Specials.Eos, name ?? ChatTemplate.ConfigKey);
            return new TemplateChatFormat(chat, ends);
        }
        catch (JinjaTemplateException e)
        {
            throw new FormatException($"{source}: the chat template does not parse: {e.Message}", e);
        }
    }

    /// <summary>The byte-level BPE model (vocabulary, merges, added tokens); null for SentencePiece-style tokenizers.</summary>
    public BpeModel? Model => (_backend as ByteLevelBpe)?.Model;

    /// <summary>One more than the largest token id (Hugging Face's len(tokenizer)).</summary>
    public int VocabSize { get; }

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public int? PadTokenId { get; }

    /// <summary>The special token roles.</summary>
    public SpecialTokens SpecialTokens => _config.Specials;

    /// <summary>
    /// How conversations are rendered for this model: the checkpoint's chat template (chat_template.jinja or
    /// tokenizer_config.json's chat_template), else its cai_chat_format (by default the CAI paper's Human/Assistant).
    /// </summary>
    public IChatFormat ChatFormat { get; }

    /// <summary>
    /// This tokenizer with a named chat format (one of <see cref="ChatTemplate.BuiltInNames"/>; "human-assistant" is
    /// <see cref="Tokenization.ChatFormat.Default"/>) or, with <paramref name="isSource"/>, a template's Jinja source.
    /// <see cref="Save"/> writes it to the checkpoint.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    /// <exception cref="FormatException">A template that does not parse.</exception>
    public TextTokenizer WithChatFormat(string nameOrSource, bool isSource = false)
    {
        ArgumentNullException.ThrowIfNull(nameOrSource);
        return new TextTokenizer(_backend, ConfigWithChatFormat(_config, nameOrSource, isSource), _source);
    }

    private static TokenizerConfigFile ConfigWithChatFormat(TokenizerConfigFile config, string nameOrSource, bool isSource) =>
        !isSource && nameOrSource == Tokenization.ChatFormat.BuiltInName
            ? config with { ChatFormat = Tokenization.ChatFormat.Default, ChatTemplate = null }
            : config with { ChatTemplate = isSource ? nameOrSource : ChatTemplate.BuiltInSource(nameOrSource) };

    /// <summary>Whether <paramref name="directory"/> holds a tokenizer <see cref="Load(string)"/> can read.</summary>
    public static bool Exists(string directory) =>
        File.Exists(Path.Combine(directory, TokenizerJsonFile.FileName))
        || File.Exists(Path.Combine(directory, SentencePieceModelFile.FileName))
        || (File.Exists(Path.Combine(directory, LegacyBpeFiles.VocabFileName)) && File.Exists(Path.Combine(directory, LegacyBpeFiles.MergesFileName)));

    /// <summary>
    /// Loads tokenizer.json (preferred), else tokenizer.model (SentencePiece), else vocab.json + merges.txt from
    /// <paramref name="directory"/>, with special token roles from tokenizer_config.json / special_tokens_map.json.
    /// </summary>
    public static TextTokenizer Load(string directory) => Load(directory, chatFormat: null);

    /// <summary>
    /// <see cref="Load(string)"/> with the named chat format <paramref name="chatFormat"/> (see <see cref="WithChatFormat"/>)
    /// instead of the checkpoint's own when it is not null; the checkpoint's template is then not parsed.
    /// </summary>
    public static TextTokenizer Load(string directory, string? chatFormat)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Tokenizer directory not found: {directory}");
        var config = TokenizerConfigFile.Read(directory);
        if (chatFormat is not null) config = ConfigWithChatFormat(config, chatFormat, isSource: false);
        string json = Path.Combine(directory, TokenizerJsonFile.FileName);
        string sentencePiece = Path.Combine(directory, SentencePieceModelFile.FileName);
        string vocab = Path.Combine(directory, LegacyBpeFiles.VocabFileName);
        string merges = Path.Combine(directory, LegacyBpeFiles.MergesFileName);
        if (File.Exists(json)) return new TextTokenizer(TokenizerJsonFile.Load(json), config, json);
        if (File.Exists(sentencePiece))
            return new TextTokenizer(SentencePieceModelFile.Read(sentencePiece, config.AddedTokensDecoder, config.Legacy), config, sentencePiece);
        if (File.Exists(vocab) && File.Exists(merges))
        {
            // Old layouts list their specials only in tokenizer_config.json; roles present in the vocab count as added.
            var model = LegacyBpeFiles.Read(vocab, merges, config.AddedTokensDecoder);
            var added = model.AddedTokens.ToList();
            foreach (string? role in new[] { config.Specials.Bos, config.Specials.Eos, config.Specials.Pad })
                if (role is not null && added.All(t => t.Content != role) && model.Vocab.TryGetValue(role, out int id))
                    added.Add(new AddedToken(id, role));
            return new TextTokenizer(new ByteLevelBpe(model with { AddedTokens = added }, vocab), config, vocab);
        }
        throw new FileNotFoundException(
            $"No tokenizer in {directory}: expected {TokenizerJsonFile.FileName}, {SentencePieceModelFile.FileName} or {LegacyBpeFiles.VocabFileName} + {LegacyBpeFiles.MergesFileName}.");
    }

    /// <summary>Token ids of <paramref name="text"/>, with the bos token first when add_bos_token is set.</summary>
    public IReadOnlyList<int> Encode(string text) => Encode(text, addSpecialTokens: true);

    /// <summary>
    /// Token ids of <paramref name="text"/>; <paramref name="addSpecialTokens"/> false never prepends bos, and bos is
    /// not prepended to a text that already starts with it.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _backend.Encode(text);
        if (!addSpecialTokens || !SpecialTokens.AddBosToken || (ids.Count > 0 && ids[0] == BosTokenId)) return ids;
        return [BosTokenId!.Value, .. ids];
    }

    /// <summary>Text of <paramref name="ids"/>, special tokens included.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var list = ids as IReadOnlyList<int> ?? ids.ToList();
        foreach (int id in list)
            if ((uint)id >= (uint)_knownIds.Length || !_knownIds[id]) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is not in the vocabulary.");
        return _backend.Decode(list);
    }

    /// <summary>The id of a token's exact text (vocabulary or added token), or null.</summary>
    public int? TokenToId(string token) => _backend.Vocabulary.TryGetValue(token, out int id) ? id : null;

    /// <summary>
    /// Writes the tokenizer file it was loaded from (tokenizer.json, or tokenizer.model for SentencePiece),
    /// tokenizer_config.json and special_tokens_map.json into <paramref name="directory"/>.
    /// </summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        _backend.Save(directory);
        _config.Write(directory, _backend.AddedTokens);
    }

    private int? RoleId(string? token, string key, string source) => token is null
        ? null
        : TokenToId(token) ?? throw new FormatException($"{source}: {key} \"{token}\" is neither in the vocabulary nor an added token.");
}
