using System.Diagnostics;
using Cai.Abstractions.Text;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using static TorchSharp.torch;

namespace Cai.Models.Generation;

/// <summary>
/// Batched autoregressive generation. Prompts of different lengths are left-padded into one batch with an attention
/// mask; a KV cache for prompt + max_new_tokens positions is allocated once per batch and filled in place; each step
/// feeds only the new token. Sequences that finish (eos, stop string) are dropped from the batch so they stop costing
/// compute. Sampling draws from one torch.Generator seeded with <see cref="GenerationOptions.Seed"/>, so the same
/// inputs and options give the same outputs. Everything runs under no_grad inside dispose scopes: no tensor outlives
/// a call, so memory stays flat over any number of calls.
/// </summary>
public sealed class TokenGenerator
{
    private readonly CausalLanguageModel _model;
    private readonly TextTokenizer? _tokenizer;
    private readonly int[] _eos;
    private readonly long _pad;

    /// <summary>A generator for <paramref name="model"/>; the tokenizer decodes text and enables stop strings.</summary>
    public TokenGenerator(CausalLanguageModel model, TextTokenizer? tokenizer = null)
    {
        _model = model;
        _tokenizer = tokenizer;
        var eos = new List<int>(model.Config.EosTokenIds);
        if (tokenizer?.EosTokenId is int e && !eos.Contains(e)) eos.Add(e);
        _eos = [.. eos];
        _pad = tokenizer?.PadTokenId ?? model.Config.PadTokenId ?? (_eos.Length > 0 ? _eos[0] : 0);
    }

    /// <summary>Statistics of the last <see cref="Generate"/> call.</summary>
    public GenerationStatistics? LastStatistics { get; private set; }

    /// <summary>
    /// Generates <see cref="GenerationOptions.NumReturnSequences"/> continuations of each prompt:
    /// result[i][j] is sample j of prompts[i]. Prompts are processed in batches of <see cref="GenerationOptions.BatchSize"/>
    /// sequences, longest first (so similar lengths share a batch). A batch whose longest prompt leaves fewer than
    /// MaxNewTokens of the model's positions (ModelConfig.ContextLength) generates only as many (finish reason Length).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<GeneratedSequence>> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        if (options.NumReturnSequences < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumReturnSequences must be at least 1.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
        if (options.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxNewTokens must not be negative.");
        if (options.StopStrings.Count > 0 && _tokenizer is null)
            throw new InvalidOperationException("Stop strings need a tokenizer to decode the generated text.");
        foreach (var (p, i) in prompts.Select((p, i) => (p, i)))
        {
            if (p.Count == 0) throw new ArgumentException($"Prompt {i} has no tokens.", nameof(prompts));
            if (p.Any(id => id < 0 || id >= _model.Config.VocabSize))
                throw new ArgumentException($"Prompt {i} has a token id outside the vocabulary [0, {_model.Config.VocabSize}).", nameof(prompts));
        }

        var watch = Stopwatch.StartNew();
        var results = new GeneratedSequence[prompts.Count, options.NumReturnSequences];
        var work = Enumerable.Range(0, prompts.Count)
            .SelectMany(p => Enumerable.Range(0, options.NumReturnSequences).Select(s => (Prompt: p, Sample: s)))
            .OrderByDescending(w => prompts[w.Prompt].Count)
            .ThenBy(w => w.Prompt).ThenBy(w => w.Sample)
            .ToList();
        long generated = 0;
        int passes = 0;
        using var generator = new Generator((ulong)options.Seed, _model.Device);
        using (no_grad())
        {
            foreach (var chunk in work.Chunk(options.BatchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var outputs = GenerateBatch(chunk.Select(w => prompts[w.Prompt]).ToList(), options, generator, ref passes);
                for (int i = 0; i < chunk.Length; i++)
                {
                    var (p, s) = chunk[i];
                    var (tokens, reason) = outputs[i];
                    generated += tokens.Count;
                    results[p, s] = new GeneratedSequence(p, s, prompts[p], tokens, reason, DecodeText(tokens, reason, options.StopStrings));
                }
            }
        }
        LastStatistics = new GenerationStatistics(generated, watch.Elapsed.TotalSeconds, passes);
        return Enumerable.Range(0, prompts.Count)
            .Select(p => (IReadOnlyList<GeneratedSequence>)Enumerable.Range(0, options.NumReturnSequences).Select(s => results[p, s]).ToArray())
            .ToArray();
    }

    private string? DecodeText(List<int> tokens, FinishReason reason, IReadOnlyList<string> stops)
    {
        if (_tokenizer is null) return null;
        var ids = reason == FinishReason.EndOfSequence ? tokens.Take(tokens.Count - 1) : tokens;
        string text = _tokenizer.Decode(ids);
        int stop = StopStrings.Find(text, stops);
        return stop >= 0 ? text[..stop] : text;
    }

    private List<(List<int> Tokens, FinishReason Reason)> GenerateBatch(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options,
        Generator generator, ref int passes)
    {
        using var scope = NewDisposeScope();
        var device = _model.Device;
        int batch = prompts.Count;
        int promptLength = prompts.Max(p => p.Count);
        int maxPositions = _model.Config.ContextLength;
        if (promptLength >= maxPositions && options.MaxNewTokens > 0)
            throw new ArgumentException($"A prompt of {promptLength} tokens leaves no room in the model's {maxPositions} positions.");
        int maxNew = Math.Min(options.MaxNewTokens, maxPositions - promptLength);
        var outputs = prompts.Select(_ => (Tokens: new List<int>(), Reason: FinishReason.Length)).ToList();
        if (maxNew == 0) return outputs;
        int total = promptLength + maxNew;

        // Left padding: every prompt ends at column promptLength - 1, so new tokens share positions in the cache.
        var ids = new long[batch * promptLength];
        var mask = new long[batch * total];
        for (int b = 0; b < batch; b++)
        {
            int offset = promptLength - prompts[b].Count;
            for (int t = 0; t < promptLength; t++)
            {
                bool real = t >= offset;
                ids[b * promptLength + t] = real ? prompts[b][t - offset] : _pad;
                mask[b * total + t] = real ? 1 : 0;
            }
        }
        var inputIds = tensor(ids, [batch, promptLength], device: device);
        var attention = tensor(mask, [batch, total], device: device);
        var rows = Enumerable.Range(0, batch).ToList(); // batch row -> output index
        var cache = _model.CreateCache(batch, total, device, _model.DType);
        Tensor? logits = null;
        try
        {
            logits = Forward(inputIds, attention.narrow(1, 0, promptLength), cache);
            passes++;
            for (int step = 0; step < maxNew; step++)
            {
                Tensor nextTokens;
                long[] next;
                using (var stepScope = NewDisposeScope())
                {
                    nextTokens = Sampler.Next(logits, options, generator).MoveToOuterDisposeScope();
                    next = nextTokens.cpu().data<long>().ToArray();
                }
                logits.Dispose();
                logits = null;

                var keep = new List<long>();
                for (int r = 0; r < rows.Count; r++)
                {
                    var output = outputs[rows[r]];
                    output.Tokens.Add((int)next[r]);
                    if (_eos.Contains((int)next[r])) output = output with { Reason = FinishReason.EndOfSequence };
                    else if (options.StopStrings.Count > 0 && StopStrings.Find(_tokenizer!.Decode(output.Tokens), options.StopStrings) >= 0)
                        output = output with { Reason = FinishReason.StopString };
                    else keep.Add(r);
                    outputs[rows[r]] = output;
                }
                if (keep.Count == 0 || step == maxNew - 1)
                {
                    nextTokens.Dispose();
                    break;
                }
                if (keep.Count < rows.Count)
                {
                    // Drop finished sequences: a smaller cache and mask hold only the live rows.
                    using var index = tensor(keep.ToArray(), device: device);
                    var smaller = cache.SelectRows(index);
                    cache.Dispose();
                    cache = smaller;
                    var attentionKept = attention.index_select(0, index);
                    attention.Dispose();
                    attention = attentionKept;
                    var nextKept = nextTokens.index_select(0, index);
                    nextTokens.Dispose();
                    nextTokens = nextKept;
                    rows = keep.Select(k => rows[(int)k]).ToList();
                }
                int column = promptLength + step;
                attention.narrow(1, column, 1).fill_(1);
                logits = Forward(nextTokens.unsqueeze(1), attention.narrow(1, 0, column + 1), cache);
                nextTokens.Dispose();
                passes++;
            }
            return outputs;
        }
        finally
        {
            logits?.Dispose();
            cache.Dispose();
        }
    }

    /// <summary>Last-position logits, [batch, vocab], as a tensor owned by the caller.</summary>
    private Tensor Forward(Tensor inputIds, Tensor attentionMask, KeyValueCache cache)
    {
        using var scope = NewDisposeScope();
        var output = _model.forward(new CausalLMInput(inputIds, attentionMask, PastKeyValues: cache, LogitsToKeep: 1));
        return output.Logits.select(1, -1).to(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
    }
}
