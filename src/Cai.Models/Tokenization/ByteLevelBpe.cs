using System.Text;
using Cai.Models.IO;
using Microsoft.ML.Tokenizers;

namespace Cai.Models.Tokenization;

/// <summary>Byte-level BPE (GPT-2, Llama 3, Qwen2) over a <see cref="BpeModel"/>, encoded by Microsoft.ML.Tokenizers.</summary>
internal sealed class ByteLevelBpe : ITokenizerBackend
{
    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _vocabulary;

    public ByteLevelBpe(BpeModel model, string source, string? leadingSpecialToken = null)
    {
        Model = model;
        LeadingSpecialToken = leadingSpecialToken;
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
        _vocabulary = new Dictionary<string, int>(model.Vocab, StringComparer.Ordinal);
        foreach (var (content, id) in specials) _vocabulary[content] = id;
    }

    public BpeModel Model { get; }

    public IReadOnlyDictionary<string, int> Vocabulary => _vocabulary;

    public IReadOnlyList<AddedToken> AddedTokens => Model.AddedTokens;

    public string? LeadingSpecialToken { get; }

    public IReadOnlyList<int> Encode(string text) =>
        _bpe.EncodeToIds(Model.NormalizeNfc ? text.Normalize(NormalizationForm.FormC) : text);

    public string Decode(IReadOnlyList<int> ids) => _bpe.Decode(ids) ?? "";

    public void Save(string directory) =>
        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerJsonFile.FileName), TokenizerJsonFile.Write(Model));
}
