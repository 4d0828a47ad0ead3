namespace Cai.Models.Tokenization;

/// <summary>Which tokens play the bos/eos/pad roles (tokenizer_config.json / special_tokens_map.json).</summary>
/// <param name="Bos">Beginning-of-sequence token text.</param>
/// <param name="Eos">End-of-sequence token text; also the document separator when packing.</param>
/// <param name="Pad">Padding token text.</param>
/// <param name="AddBosToken">Whether <see cref="TextTokenizer.Encode(string)"/> prepends the bos token ("add_bos_token").</param>
public sealed record SpecialTokens(string? Bos = null, string? Eos = null, string? Pad = null, bool AddBosToken = false);
