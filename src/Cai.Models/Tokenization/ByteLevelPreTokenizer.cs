using System.Text.RegularExpressions;

namespace Cai.Models.Tokenization;

/// <summary>The regex split applied before byte-level BPE (Hugging Face's ByteLevel pre-tokenizer with use_regex).</summary>
public static class ByteLevelPreTokenizer
{
    /// <summary>GPT-2's split pattern, used by Hugging Face's ByteLevel pre-tokenizer.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Compiles a split pattern taken from a tokenizer.json.</summary>
    public static Regex CreateRegex(string pattern) => new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
}
