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

/// <summary>What one <see cref="TokenGenerator.Generate"/> call did.</summary>
/// <param name="GeneratedTokens">New tokens over all sequences.</param>
/// <param name="Seconds">Wall time of the call.</param>
/// <param name="ForwardPasses">Model forward passes.</param>
public sealed record GenerationStatistics(long GeneratedTokens, double Seconds, int ForwardPasses)
{
    /// <summary>Generated tokens per second.</summary>
    public double TokensPerSecond => Seconds > 0 ? GeneratedTokens / Seconds : 0;
}
