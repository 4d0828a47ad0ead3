using System.Text;
using Cai.Models.IO;
using Google.Protobuf;
using Microsoft.ML.Tokenizers;

namespace Cai.Models.Tokenization;

/// <summary>
/// A SentencePiece model file (tokenizer.model), BPE or Unigram, encoded by Microsoft.ML.Tokenizers'
/// SentencePieceTokenizer, with what that library does not do as sentencepiece does filled in here: normalization of
/// models without a precompiled charsmap (the library drops a text of one character), merging consecutive unknown
/// characters into one &lt;unk&gt;, and decoding (sentencepiece's rules; control, unknown and added tokens appear as
/// their text). Options it cannot honour are refused naming the file and the option: model types WORD and CHAR,
/// Unigram with byte_fallback, treat_whitespace_as_suffix, escape_whitespaces false, a denormalizer.
/// </summary>
/// <remarks>
/// Added tokens from tokenizer_config.json split the text first; each piece between them is encoded on its own with
/// its dummy prefix, as sentencepiece and transformers' slow tokenizers do by default ("legacy"). With "legacy": false
/// the whole text is normalized once, so text after an added token gets no dummy prefix.
/// </remarks>
internal sealed class SentencePieceModelFile : ITokenizerBackend
{
    /// <summary>The file name in a model directory.</summary>
    public const string FileName = "tokenizer.model";

    private const char Space = '\u2581';

    private enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

    private readonly byte[] _file;
    private readonly List<(string Piece, PieceType Type)> _pieces = [];
    private readonly Dictionary<string, int> _vocabulary = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _addedById = [];
    private readonly SentencePieceTokenizer _tokenizer;
    private readonly SentencePieceTokenizer _plain;
    private readonly AddedVocabulary? _added;
    private readonly bool _addDummyPrefix = true, _removeExtraWhitespaces = true, _hasCharsmap;
    private readonly int _unkId;

    private SentencePieceModelFile(string path, IReadOnlyList<AddedToken> addedTokens, bool legacy)
    {
        _file = File.ReadAllBytes(path);
        int modelType = 1;
        bool byteFallback = false, escapeWhitespaces = true, treatWhitespaceAsSuffix = false, denormalizes = false;
        try
        {
            var model = new CodedInputStream(_file);
            foreach (int field in Fields(model))
            {
                if (field is not (1 or 2 or 3 or 5))
                {
                    model.SkipLastField();
                    continue;
                }
                var message = new CodedInputStream(model.ReadBytes().ToByteArray());
                switch (field)
                {
                    case 1: // pieces
                        string piece = "";
                        var type = PieceType.Normal;
                        foreach (int f in Fields(message))
                        {
                            if (f == 1) piece = message.ReadString();
                            else if (f == 3) type = (PieceType)message.ReadEnum();
                            else message.SkipLastField();
                        }
                        _pieces.Add((piece, type));
                        break;
                    case 2: // trainer_spec
                        foreach (int f in Fields(message))
                        {
                            if (f == 3) modelType = message.ReadEnum();
                            else if (f == 24) treatWhitespaceAsSuffix = message.ReadBool();
                            else if (f == 35) byteFallback = message.ReadBool();
                            else message.SkipLastField();
                        }
                        break;
                    case 3: // normalizer_spec
                        foreach (int f in Fields(message))
                        {
                            if (f == 2) _hasCharsmap = message.ReadBytes().Length > 0;
                            else if (f == 3) _addDummyPrefix = message.ReadBool();
                            else if (f == 4) _removeExtraWhitespaces = message.ReadBool();
                            else if (f == 5) escapeWhitespaces = message.ReadBool();
                            else message.SkipLastField();
                        }
                        break;
                    case 5: // denormalizer_spec
                        foreach (int f in Fields(message))
                        {
                            if (f == 2) denormalizes = message.ReadBytes().Length > 0;
                            else message.SkipLastField();
                        }
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"{path}: not a SentencePiece model ({e.Message}).", e);
        }
        if (_pieces.Count == 0) throw new FormatException($"{path}: not a SentencePiece model (no pieces).");
        if (modelType is not (1 or 2))
            throw Refuse(path, $"trainer_spec.model_type {(modelType == 3 ? "WORD" : modelType == 4 ? "CHAR" : modelType.ToString(System.Globalization.CultureInfo.InvariantCulture))} (only BPE and UNIGRAM are)");
        if (modelType == 1 && byteFallback)
            throw Refuse(path, "trainer_spec.byte_fallback with a UNIGRAM model (Microsoft.ML.Tokenizers 2.0.1 maps its bytes to wrong ids)");
        if (treatWhitespaceAsSuffix) throw Refuse(path, "trainer_spec.treat_whitespace_as_suffix = true");
        if (!escapeWhitespaces) throw Refuse(path, "normalizer_spec.escape_whitespaces = false");
        if (denormalizes) throw Refuse(path, "a denormalizer_spec with rules");
        _unkId = _pieces.FindIndex(p => p.Type == PieceType.Unknown);

        for (int id = 0; id < _pieces.Count; id++) _vocabulary.TryAdd(_pieces[id].Piece, id);
        foreach (var token in addedTokens)
        {
            _vocabulary[token.Content] = token.Id;
            _addedById[token.Id] = token.Content;
        }
        AddedTokens = addedTokens;

        // User-defined pieces are never split; with "legacy": false the added tokens are found in the normalized text.
        var specials = _pieces.Select((p, id) => (p.Piece, p.Type, Id: id)).Where(p => p.Type == PieceType.UserDefined)
            .ToDictionary(p => p.Piece, p => p.Id, StringComparer.Ordinal);
        if (!legacy)
            foreach (var token in addedTokens) specials[token.Content] = token.Id;
        _plain = Create(null);
        _tokenizer = specials.Count > 0 ? Create(specials) : _plain;
        _added = legacy && addedTokens.Count > 0 ? new AddedVocabulary(addedTokens) : null;
    }

    private SentencePieceTokenizer Create(IReadOnlyDictionary<string, int>? specialTokens)
    {
        using var stream = new MemoryStream(_file);
        return SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false, specialTokens);
    }

    /// <summary>Reads <paramref name="path"/>; <paramref name="addedTokens"/> and <paramref name="legacy"/> come from tokenizer_config.json.</summary>
    public static SentencePieceModelFile Read(string path, IReadOnlyList<AddedToken> addedTokens, bool legacy = true) => new(path, addedTokens, legacy);

    public IReadOnlyDictionary<string, int> Vocabulary => _vocabulary;

    public IReadOnlyList<AddedToken> AddedTokens { get; }

    public string? LeadingSpecialToken => null;

    public IReadOnlyList<int> Encode(string text)
    {
        if (_added is null) return EncodePiece(text);
        var ids = new List<int>();
        foreach (var segment in _added.Split(text))
        {
            if (segment.Id is int id) ids.Add(id);
            else ids.AddRange(EncodePiece(segment.Text));
        }
        return ids;
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        bool atStart = true;
        foreach (int id in ids)
        {
            if (id < _pieces.Count && _pieces[id].Type == PieceType.Byte && TokenizerJsonPipeline.ByteToken(_pieces[id].Piece) is byte b)
            {
                bytes.Add(b);
                continue;
            }
            FlushBytes();
            if (_addedById.TryGetValue(id, out string? added)) text.Append(added);
            else if (_pieces[id].Type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused)
            {
                string piece = _pieces[id].Piece;
                if (atStart && (_addDummyPrefix || _removeExtraWhitespaces) && piece.Length > 0 && piece[0] == Space) piece = piece[1..];
                text.Append(piece.Replace(Space, ' '));
                atStart = false;
            }
            else
            {
                // Control pieces are invisible to sentencepiece (they keep the start of the text); unknown ones are not.
                text.Append(_pieces[id].Piece);
                atStart &= _pieces[id].Type == PieceType.Control;
            }
        }
        FlushBytes();
        return text.ToString();

        void FlushBytes()
        {
            if (bytes.Count == 0) return;
            text.Append(Encoding.UTF8.GetString([.. bytes]));
            bytes.Clear();
            atStart = false;
        }
    }

    public void Save(string directory) => AtomicFile.Write(Path.Combine(directory, FileName), stream => stream.Write(_file));

    private IReadOnlyList<int> EncodePiece(string text)
    {
        IReadOnlyList<int> ids;
        if (_hasCharsmap && _tokenizer == _plain) ids = _plain.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        else
        {
            // With special tokens the library normalizes each piece between them (a dummy prefix on each), unlike
            // sentencepiece: the whole text is normalized first, then encoded as is.
            string normalized = _hasCharsmap ? NormalizeWithCharsmap(text) : Normalize(text);
            ids = _tokenizer.EncodeToIds(normalized, addBeginningOfSentence: false, addEndOfSentence: false, considerNormalization: false);
        }
        // sentencepiece merges a run of unknown characters into one unknown piece.
        var merged = new List<int>(ids.Count);
        foreach (int id in ids)
            if (id != _unkId || merged.Count == 0 || merged[^1] != _unkId) merged.Add(id);
        return merged;
    }

    private string NormalizeWithCharsmap(string text)
    {
        _plain.EncodeToTokens(text, out string? normalized, addBeginningOfSentence: false, addEndOfSentence: false);
        return normalized ?? throw new InvalidOperationException("Microsoft.ML.Tokenizers returned no normalized text.");
    }

    // sentencepiece's normalizer without a charsmap: trim and collapse spaces when asked, dummy prefix, spaces to "▁".
    private string Normalize(string text)
    {
        if (_removeExtraWhitespaces)
            text = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (text.Length == 0) return text;
        text = text.Replace(' ', Space);
        return _addDummyPrefix ? Space + text : text;
    }

    private static IEnumerable<int> Fields(CodedInputStream input)
    {
        for (uint tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
            yield return WireFormat.GetTagFieldNumber(tag);
    }

    private static NotSupportedException Refuse(string path, string option) => new($"{path}: {option} is not supported.");
}
