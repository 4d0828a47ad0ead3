namespace Cai.Models.Tokenization;

/// <summary>
/// What turns text into ids and back behind a <see cref="TextTokenizer"/>: byte-level BPE (<see cref="ByteLevelBpe"/>),
/// SentencePiece-style BPE from a tokenizer.json (<see cref="SentencePieceBpe"/>) or a SentencePiece model file
/// (<see cref="SentencePieceModelFile"/>).
/// </summary>
internal interface ITokenizerBackend
{
    /// <summary>Token text to id over the vocabulary and the added tokens (an added token's id wins).</summary>
    IReadOnlyDictionary<string, int> Vocabulary { get; }

    /// <summary>The added tokens, written to tokenizer_config.json's added_tokens_decoder.</summary>
    IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>The token the file's post-processor puts before every text (Hugging Face TemplateProcessing), or null.</summary>
    string? LeadingSpecialToken { get; }

    /// <summary>Ids of <paramref name="text"/>; added tokens are single ids; no bos.</summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Text of <paramref name="ids"/> (all in the vocabulary), added tokens included.</summary>
    string Decode(IReadOnlyList<int> ids);

    /// <summary>Writes the tokenizer file (tokenizer.json or tokenizer.model) into <paramref name="directory"/>.</summary>
    void Save(string directory);
}
