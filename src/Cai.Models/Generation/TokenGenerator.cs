using System.Diagnostics;
using Cai.Abstractions.Text;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;

namespace Cai.Models.Generation;

/// <summary>
/// Batched autoregressive generation over a <see cref="DecodeBatch"/>: up to <see cref="GenerationOptions.BatchSize"/>
/// sequences decode together, and a sequence that finishes (eos, stop string, length) is replaced at once by a waiting
/// one, so the batch stays full. Sample j of prompt i draws from the sequence seed of (its prompt's seed, j) (see
/// <see cref="GenerationOptions.Seeds"/>), so its tokens do not depend on the batch size, the order of prompts or the
/// device. Everything runs under no_grad inside dispose scopes: no tensor outlives a call, so memory stays flat over
/// any number of calls.
/// </summary>
public sealed class TokenGenerator
{
    private readonly CausalLanguageModel _model;
    private readonly TextTokenizer? _tokenizer;

    /// <summary>A generator for <paramref name="model"/>; the tokenizer decodes text and enables stop strings.</summary>
    public TokenGenerator(CausalLanguageModel model, TextTokenizer? tokenizer = null)
    {
        _model = model;
        _tokenizer = tokenizer;
    }

    /// <summary>Statistics of the last <see cref="Generate"/> call.</summary>
    public GenerationStatistics? LastStatistics { get; private set; }

    /// <summary>
    /// Generates <see cref="GenerationOptions.NumReturnSequences"/> continuations of each prompt:
    /// result[i][j] is sample j of prompts[i]. Longer prompts join the batch first (so similar lengths share a
    /// prefill). A prompt that leaves fewer than MaxNewTokens of the model's positions (ModelConfig.ContextLength) generates
    /// only as many (finish reason Length).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<GeneratedSequence>> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        if (options.NumReturnSequences < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumReturnSequences must be at least 1.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
        if (options.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxNewTokens must not be negative.");
        if (options.Seeds is { } given && given.Count != prompts.Count)
            throw new ArgumentException($"GenerationOptions.Seeds has {given.Count} seeds for {prompts.Count} prompts.", nameof(options));
        if (options.StopStrings.Count > 0 && _tokenizer is null)
            throw new InvalidOperationException("Stop strings need a tokenizer to decode the generated text.");
        var sampling = new SamplingSettings(options.Temperature, options.TopK, options.TopP);
        sampling.Validate();
        int maxPositions = _model.Config.ContextLength;
        foreach (var (p, i) in prompts.Select((p, i) => (p, i)))
        {
            if (p.Count == 0) throw new ArgumentException($"Prompt {i} has no tokens.", nameof(prompts));
            if (p.Any(id => id < 0 || id >= _model.Config.VocabSize))
                throw new ArgumentException($"Prompt {i} has a token id outside the vocabulary [0, {_model.Config.VocabSize}).", nameof(prompts));
            if (p.Count >= maxPositions && options.MaxNewTokens > 0)
                throw new ArgumentException($"A prompt of {p.Count} tokens leaves no room in the model's {maxPositions} positions.");
        }

        var watch = Stopwatch.StartNew();
        var results = new GeneratedSequence[prompts.Count, options.NumReturnSequences];
        var pending = new Queue<(int Prompt, int Sample, DecodeRequest Request)>();
        foreach (var (p, s) in Enumerable.Range(0, prompts.Count)
                     .SelectMany(p => Enumerable.Range(0, options.NumReturnSequences).Select(s => (p, s)))
                     .OrderByDescending(w => prompts[w.p].Count).ThenBy(w => w.p).ThenBy(w => w.s))
        {
            int maxNew = Math.Min(options.MaxNewTokens, maxPositions - prompts[p].Count);
            if (maxNew == 0)
            {
                results[p, s] = new GeneratedSequence(p, s, prompts[p], [], FinishReason.Length, _tokenizer is null ? null : "");
                continue;
            }
            long promptSeed = options.Seeds?[p] ?? SamplingSeeds.PromptSeed(options.Seed, p);
            pending.Enqueue((p, s, new DecodeRequest(prompts[p], SamplingSeeds.SequenceSeed(promptSeed, s))
            {
                MaxNewTokens = maxNew,
                Sampling = sampling,
                StopStrings = options.StopStrings,
                IgnoreEos = options.IgnoreEos,
            }));
        }
        if (pending.Count == 0)
        {
            LastStatistics = new GenerationStatistics(0, watch.Elapsed.TotalSeconds, 0);
            return Collect(results);
        }

        int capacity = Math.Min(options.BatchSize, pending.Count);
        int maxLength = pending.Max(w => w.Request.PromptIds.Count + w.Request.MaxNewTokens - 1);
        using var batch = new DecodeBatch(_model, capacity, maxLength, pending.Max(w => w.Request.MaxNewTokens), _tokenizer);
        var owners = new Dictionary<DecodeSequence, (int Prompt, int Sample)>();
        while (pending.Count > 0 || batch.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (pending.Count > 0 && batch.FreeRows > 0)
            {
                var joining = new List<(int Prompt, int Sample, DecodeRequest Request)>();
                while (pending.Count > 0 && joining.Count < batch.FreeRows) joining.Add(pending.Dequeue());
                var sequences = batch.Join(joining.Select(w => w.Request).ToList());
                for (int k = 0; k < sequences.Count; k++) owners[sequences[k]] = (joining[k].Prompt, joining[k].Sample);
            }
            foreach (var sequence in batch.Step())
            {
                var (p, s) = owners[sequence];
                if (sequence.Error is not null) throw new NonFiniteLogitsException($"prompt {p}, sample {s}: {sequence.Error}");
                results[p, s] = new GeneratedSequence(p, s, prompts[p], sequence.TokenIds, sequence.FinishReason!.Value,
                    _tokenizer is null ? null : batch.TextOf(sequence.TokenIds, options.StopStrings));
            }
        }
        LastStatistics = batch.Statistics with { Seconds = watch.Elapsed.TotalSeconds };
        return Collect(results);
    }

    private static IReadOnlyList<IReadOnlyList<GeneratedSequence>> Collect(GeneratedSequence[,] results) =>
        Enumerable.Range(0, results.GetLength(0))
            .Select(p => (IReadOnlyList<GeneratedSequence>)Enumerable.Range(0, results.GetLength(1)).Select(s => results[p, s]).ToArray())
            .ToArray();
}

/// <summary>Generation met NaN or infinite logits (a float16 overflow, or broken weights).</summary>
public sealed class NonFiniteLogitsException(string message) : InvalidOperationException(message);
