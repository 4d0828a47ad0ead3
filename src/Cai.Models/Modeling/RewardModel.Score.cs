using Cai.Models.Tokenization;
using Cai.Models.Training;
using static TorchSharp.torch;

namespace Cai.Models.Modeling;

public sealed partial class RewardModel
{
    /// <summary>
    /// The tokens a reward model reads for a conversation, as the reward trainer trains on them: the prompt (chat
    /// formatted, ending with the assistant cue; with the tokenizer's special prefix) and the response followed by eos
    /// where the chat format does not close the turn (<see cref="AssistantTokens.Example"/>).
    /// </summary>
    public static TokenizedExample Encode(TextTokenizer tokenizer, string prompt, string response) =>
        AssistantTokens.Example(tokenizer, prompt, response);

    /// <summary>Rewards of (prompt, response) texts, in order; see <see cref="Encode"/> and <see cref="Score(IReadOnlyList{TokenizedExample}, long, int)"/>.</summary>
    public double[] Score(TextTokenizer tokenizer, IReadOnlyList<(string Prompt, string Response)> samples, int batchSize = 16) =>
        Score(samples.Select(s => Encode(tokenizer, s.Prompt, s.Response)).ToList(), tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0, batchSize);

    /// <summary>
    /// Rewards of tokenised conversations, in order, under no_grad in eval mode (the mode is restored). Rows are
    /// batched by length and right-padded; a row longer than the model's positions keeps its last tokens, where the
    /// reward is read.
    /// </summary>
    public double[] Score(IReadOnlyList<TokenizedExample> sequences, long padTokenId, int batchSize = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int maxLength = Config.ContextLength;
        var rows = sequences.Select(s => s.Length <= maxLength ? s
            : new TokenizedExample([], [.. s.PromptIds.Concat(s.CompletionIds).Skip(s.Length - maxLength)])).ToList();
        var results = new double[rows.Count];
        bool wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            foreach (var chunk in Enumerable.Range(0, rows.Count).OrderByDescending(i => rows[i].Length).Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                var batch = BatchCollator.Pad(chunk.Select(i => rows[i]).ToList(), (int)padTokenId, maxLength);
                var rewards = forward(new CausalLMInput(batch.InputIdsTensor(Device), batch.AttentionMaskTensor(Device)));
                var values = rewards.to(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int b = 0; b < chunk.Length; b++) results[chunk[b]] = values[b];
            }
        }
        finally
        {
            train(wasTraining);
        }
        return results;
    }
}
