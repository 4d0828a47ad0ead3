using Cai.Abstractions.Text;

namespace Cai.Models.Generation;

/// <summary>One generated continuation.</summary>
/// <param name="PromptIndex">Which prompt it continues.</param>
/// <param name="SampleIndex">Which of that prompt's samples it is.</param>
/// <param name="PromptIds">The prompt's token ids.</param>
/// <param name="TokenIds">The new token ids (with the eos token or the tokens of the stop string, when one ended it).</param>
/// <param name="FinishReason">Why it stopped.</param>
/// <param name="Text">The decoded new text without eos and stop string; null without a tokenizer.</param>
public sealed record GeneratedSequence(int PromptIndex, int SampleIndex, IReadOnlyList<int> PromptIds, IReadOnlyList<int> TokenIds,
    FinishReason FinishReason, string? Text);

/// <summary>What one <see cref="TokenGenerator.Generate"/> call (or a <see cref="DecodeBatch"/> so far) did.</summary>
/// <param name="GeneratedTokens">New tokens over all sequences.</param>
/// <param name="Seconds">Wall time of the call.</param>
/// <param name="ForwardPasses">Model forward passes: prefills plus decode steps.</param>
public sealed record GenerationStatistics(long GeneratedTokens, double Seconds, int ForwardPasses)
{
    /// <summary>Generated tokens per second.</summary>
    public double TokensPerSecond => Seconds > 0 ? GeneratedTokens / Seconds : 0;

    /// <summary>Decode steps (forward passes that each add one token to every live sequence).</summary>
    public int DecodeSteps { get; init; }

    /// <summary>Reads from the device to the host (host synchronisations on a GPU): one per decode step.</summary>
    public long HostTransfers { get; init; }

    /// <summary>Time in prefill passes (prompts joining the batch).</summary>
    public double PrefillSeconds { get; init; }

    /// <summary>Time in the forward passes of decode steps (on a GPU: the time to queue them).</summary>
    public double DecodeSeconds { get; init; }

    /// <summary>Time in sampling, reading the tokens back and bookkeeping (on a GPU this includes waiting for the queued work).</summary>
    public double SamplingSeconds { get; init; }

    /// <summary>The part of <see cref="SamplingSeconds"/> spent reading back to the host (on a GPU: waiting for the queued work).</summary>
    public double HostTransferSeconds { get; init; }
}
