using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cai.Models.Tokenization;

/// <summary>
/// The normalizer, pre-tokenizer and decoder of a SentencePiece-style tokenizer.json, run as Hugging Face tokenizers
/// runs them. Supported: normalizers Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD; pre-tokenizers Sequence,
/// Metaspace, Split (behaviors Isolated, Removed, MergedWithPrevious, MergedWithNext; invert false); decoders
/// Sequence, Replace, ByteFallback, Fuse, Strip, Metaspace. Any other type is refused naming the file and the key.
/// </summary>
internal static class TokenizerJsonPipeline
{
    /// <summary>Splits model text into words; <c>AtStart</c> marks a piece that begins the original text.</summary>
    public delegate IEnumerable<(string Text, bool AtStart)> PreTokenizer(string text, bool atStart);

    /// <summary>Hugging Face's decode_chain: token strings in, strings out (joined afterwards).</summary>
    public delegate List<string> Decoder(List<string> tokens);

    /// <summary>The "normalizer" node as a function, or null when there is none.</summary>
    public static Func<string, string>? Normalizer(JsonNode? node, string path, string key = "normalizer")
    {
        if (node is null) return null;
        string type = TypeOf(node, path, key);
        switch (type)
        {
            case "Sequence":
                var steps = Array(node, "normalizers", path, key).Select((n, i) => Normalizer(n, path, $"{key}.normalizers[{i}]")).ToList();
                return text => steps.Aggregate(text, (s, step) => step is null ? s : step(s));
            case "Prepend":
                string prefix = String(node, "prepend", path, key);
                return text => text.Length == 0 ? text : prefix + text;
            case "Replace":
                var (pattern, content) = (Pattern(node, path, key), String(node, "content", path, key));
                return text => pattern.Replace(text, content.Replace("$", "$$", StringComparison.Ordinal));
            case "NFC": return text => text.Normalize(NormalizationForm.FormC);
            case "NFD": return text => text.Normalize(NormalizationForm.FormD);
            case "NFKC": return text => text.Normalize(NormalizationForm.FormKC);
            case "NFKD": return text => text.Normalize(NormalizationForm.FormKD);
            default:
                throw new NotSupportedException(
                    $"{path}: {key} of type \"{type}\" is not supported (supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD).");
        }
    }

    /// <summary>The "pre_tokenizer" node as a function, or null when there is none.</summary>
    public static PreTokenizer? PreTokenizerOf(JsonNode? node, string path, string key = "pre_tokenizer")
    {
        if (node is null) return null;
        string type = TypeOf(node, path, key);
        switch (type)
        {
            case "Sequence":
                var steps = Array(node, "pretokenizers", path, key).Select((n, i) => PreTokenizerOf(n, path, $"{key}.pretokenizers[{i}]")).ToList();
                return (text, atStart) => steps.Aggregate<PreTokenizer?, IEnumerable<(string, bool)>>(
                    [(text, atStart)], (pieces, step) => step is null ? pieces : pieces.SelectMany(p => step(p.Item1, p.Item2)).ToList());
            case "Metaspace":
                var (replacement, scheme) = MetaspaceOptions(node, path, key);
                bool split = node["split"]?.GetValue<bool>() ?? true;
                return (text, atStart) =>
                {
                    text = text.Replace(" ", replacement, StringComparison.Ordinal);
                    if ((scheme == "always" || (scheme == "first" && atStart)) && !text.StartsWith(replacement, StringComparison.Ordinal))
                        text = replacement + text;
                    return split ? SplitText(text, atStart, new Regex(Regex.Escape(replacement)), "MergedWithNext") : [(text, atStart)];
                };
            case "Split":
                if (node["invert"]?.GetValue<bool>() == true)
                    throw new NotSupportedException($"{path}: {key}.invert = true is not supported.");
                string behavior = String(node, "behavior", path, key);
                if (behavior is not ("Isolated" or "Removed" or "MergedWithPrevious" or "MergedWithNext"))
                    throw new NotSupportedException(
                        $"{path}: {key}.behavior \"{behavior}\" is not supported (Isolated, Removed, MergedWithPrevious, MergedWithNext).");
                var regex = Pattern(node, path, key);
                return (text, atStart) => SplitText(text, atStart, regex, behavior);
            default:
                throw new NotSupportedException($"{path}: {key} of type \"{type}\" is not supported (supported: none, Sequence, Metaspace, Split).");
        }
    }

    /// <summary>The "decoder" node as a decode chain, or null when there is none (tokens are then joined with spaces).</summary>
    public static Decoder? DecoderOf(JsonNode? node, string path, string key = "decoder")
    {
        if (node is null) return null;
        string type = TypeOf(node, path, key);
        switch (type)
        {
            case "Sequence":
                var steps = Array(node, "decoders", path, key).Select((n, i) => DecoderOf(n, path, $"{key}.decoders[{i}]")).ToList();
                return tokens => steps.Aggregate(tokens, (t, step) => step is null ? t : step(t));
            case "Replace":
                var (pattern, content) = (Pattern(node, path, key), String(node, "content", path, key));
                return tokens => tokens.Select(t => pattern.Replace(t, content.Replace("$", "$$", StringComparison.Ordinal))).ToList();
            case "ByteFallback":
                return DecodeByteTokens;
            case "Fuse":
                return tokens => [string.Concat(tokens)];
            case "Strip":
                string strip = String(node, "content", path, key);
                int start = node["start"]?.GetValue<int>() ?? 0, stop = node["stop"]?.GetValue<int>() ?? 0;
                return tokens => tokens.Select(t => Strip(t, strip, start, stop)).ToList();
            case "Metaspace":
                var (replacement, scheme) = MetaspaceOptions(node, path, key);
                return tokens => tokens.Select((t, i) => i == 0 && scheme != "never"
                    ? t.Replace(replacement, "", StringComparison.Ordinal)
                    : t.Replace(replacement, " ", StringComparison.Ordinal)).ToList();
            default:
                throw new NotSupportedException(
                    $"{path}: {key} of type \"{type}\" is not supported (supported: none, Sequence, Replace, ByteFallback, Fuse, Strip, Metaspace).");
        }
    }

    /// <summary>"&lt;0xNN&gt;" as a byte, or null.</summary>
    public static byte? ByteToken(string token) =>
        token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
        && byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b) ? b : null;

    // Runs of byte tokens become their UTF-8 text, or one U+FFFD per byte when they are not valid UTF-8.
    private static List<string> DecodeByteTokens(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var bytes = new List<byte>();
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        void Flush()
        {
            if (bytes.Count == 0) return;
            try { result.Add(strict.GetString(bytes.ToArray())); }
            catch (DecoderFallbackException) { result.AddRange(Enumerable.Repeat("\uFFFD", bytes.Count)); }
            bytes.Clear();
        }
        foreach (string token in tokens)
        {
            if (ByteToken(token) is byte b)
            {
                bytes.Add(b);
                continue;
            }
            Flush();
            result.Add(token);
        }
        Flush();
        return result;
    }

    private static string Strip(string token, string content, int start, int stop)
    {
        int from = 0, to = token.Length;
        while (from < Math.Min(start, token.Length) && token.AsSpan(from).StartsWith(content, StringComparison.Ordinal)) from += content.Length;
        for (int i = 0; i < stop && to - content.Length >= from && token.AsSpan(0, to).EndsWith(content, StringComparison.Ordinal); i++) to -= content.Length;
        return token[from..to];
    }

    // Hugging Face's split with a delimiter behavior; empty pieces are dropped.
    private static IEnumerable<(string, bool)> SplitText(string text, bool atStart, Regex delimiter, string behavior)
    {
        var pieces = new List<(int Start, int End)>();
        int last = 0;
        foreach (Match m in delimiter.Matches(text))
        {
            if (m.Length == 0) continue;
            switch (behavior)
            {
                case "Isolated":
                    pieces.Add((last, m.Index));
                    pieces.Add((m.Index, m.Index + m.Length));
                    last = m.Index + m.Length;
                    break;
                case "Removed":
                    pieces.Add((last, m.Index));
                    last = m.Index + m.Length;
                    break;
                case "MergedWithPrevious":
                    pieces.Add((last, m.Index + m.Length));
                    last = m.Index + m.Length;
                    break;
                case "MergedWithNext":
                    pieces.Add((last, m.Index));
                    last = m.Index;
                    break;
            }
        }
        pieces.Add((last, text.Length));
        return pieces.Where(p => p.End > p.Start).Select(p => (text[p.Start..p.End], atStart && p.Start == 0)).ToList();
    }

    private static (string Replacement, string Scheme) MetaspaceOptions(JsonNode node, string path, string key)
    {
        string replacement = String(node, "replacement", path, key);
        string scheme = node["prepend_scheme"]?.GetValue<string>() ?? "always";
        if (node["add_prefix_space"]?.GetValue<bool>() == false) scheme = "never";
        if (scheme is not ("always" or "first" or "never"))
            throw new NotSupportedException($"{path}: {key}.prepend_scheme \"{scheme}\" is not supported (always, first, never).");
        return (replacement, scheme);
    }

    private static Regex Pattern(JsonNode node, string path, string key) => node["pattern"] switch
    {
        JsonObject { } p when p["String"] is JsonValue s => new Regex(Regex.Escape(s.GetValue<string>()), RegexOptions.CultureInvariant),
        JsonObject { } p when p["Regex"] is JsonValue r => new Regex(r.GetValue<string>(), RegexOptions.CultureInvariant),
        _ => throw new FormatException($"{path}: {key} has no pattern.String or pattern.Regex."),
    };

    private static string TypeOf(JsonNode node, string path, string key) =>
        node["type"]?.GetValue<string>() ?? throw new FormatException($"{path}: {key} has no \"type\".");

    private static string String(JsonNode node, string name, string path, string key) =>
        node[name]?.GetValue<string>() ?? throw new FormatException($"{path}: {key} has no \"{name}\".");

    private static JsonArray Array(JsonNode node, string name, string path, string key) =>
        node[name] as JsonArray ?? throw new FormatException($"{path}: {key} has no \"{name}\" list.");
}
