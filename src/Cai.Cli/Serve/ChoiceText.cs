using Cai.Models.Generation;
using Cai.Models.Tokenization;

namespace Cai.Cli.Serve;

/// <summary>
/// The text of one streamed choice as its tokens arrive: decoded incrementally (whole characters only), eos tokens
/// left out, never past a stop string, and holding back the last characters that could begin one. The deltas add up
/// to the text of the whole answer (<see cref="Finish"/> sends what is left of it).
/// </summary>
public sealed class ChoiceText(TextTokenizer tokenizer, IReadOnlySet<int> eos, IReadOnlyList<string> stops)
{
    private readonly List<int> _tokens = [];
    private readonly StopStringScanner _scanner = new(tokenizer, stops);
    private readonly List<TokenLogprob> _logprobs = [];
    private string _sent = "";
    private bool _stopped;

    /// <summary>Takes a token; returns the text that may be sent now (maybe empty).</summary>
    public string Add(int token, TokenLogprob? logprob)
    {
        if (eos.Contains(token) || _stopped) return "";
        if (logprob is not null) _logprobs.Add(logprob);
        _tokens.Add(token);
        int stop = _scanner.Scan(_tokens);
        _stopped = stop >= 0;
        int ready = _stopped ? stop : _scanner.Length - _scanner.Overlap;
        if (ready <= _sent.Length) return "";
        string delta = _scanner.Slice(_sent.Length, ready);
        _sent += delta;
        return delta;
    }

    /// <summary>The log-probabilities taken since the last call (of tokens other than eos).</summary>
    public IReadOnlyList<TokenLogprob> TakeLogprobs()
    {
        var taken = _logprobs.ToList();
        _logprobs.Clear();
        return taken;
    }

    /// <summary>What is left to send of the finished choice's <paramref name="text"/>.</summary>
    public string Finish(string text)
    {
        string rest = text.Length > _sent.Length && text.StartsWith(_sent, StringComparison.Ordinal) ? text[_sent.Length..] : "";
        _sent += rest;
        return rest;
    }
}
