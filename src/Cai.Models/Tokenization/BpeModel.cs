namespace Cai.Models.Tokenization;

/// <summary>A token added on top of the vocabulary (Hugging Face "added_tokens"); always encoded as one id.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">Its text, e.g. "&lt;|endoftext|&gt;".</param>
/// <param name="Special">Whether it is a special (control) token.</param>
public sealed record AddedToken(int Id, string Content, bool Special = true)
{
    /// <summary>"lstrip": whitespace before the token is part of it (SentencePiece-style tokenizers only).</summary>
    public bool LStrip { get; init; }

    /// <summary>"rstrip": whitespace after the token is part of it (SentencePiece-style tokenizers only).</summary>
    public bool RStrip { get; init; }

    /// <summary>"normalized": matched in the normalized text rather than the raw one (SentencePiece-style tokenizers only).</summary>
    public bool Normalized { get; init; }
}

/// <summary>A byte-level BPE model: what a Hugging Face tokenizer.json holds.</summary>
/// <param name="Vocab">Byte-level token string to id.</param>
/// <param name="Merges">Merge rules in priority order.</param>
/// <param name="AddedTokens">Tokens split out of the text before BPE (specials).</param>
/// <param name="SplitPattern">The pre-tokenizer's split regex (GPT-2's unless the model says otherwise).</param>
/// <param name="NormalizeNfc">Whether text is NFC-normalised before encoding (Qwen2).</param>
public sealed record BpeModel(
    IReadOnlyDictionary<string, int> Vocab,
    IReadOnlyList<(string Left, string Right)> Merges,
    IReadOnlyList<AddedToken> AddedTokens,
    string SplitPattern = ByteLevelPreTokenizer.Gpt2Pattern,
    bool NormalizeNfc = false)
{
    /// <summary>One more than the largest id of the vocabulary and the added tokens.</summary>
    public int Size => Math.Max(
        Vocab.Count == 0 ? 0 : Vocab.Values.Max() + 1,
        AddedTokens.Count == 0 ? 0 : AddedTokens.Max(t => t.Id) + 1);

    /// <summary>The id of a vocabulary or added token, or null.</summary>
    public int? FindId(string token)
    {
        foreach (var added in AddedTokens)
            if (added.Content == token) return added.Id;
        return Vocab.TryGetValue(token, out int id) ? id : null;
    }
}
