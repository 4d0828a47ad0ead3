using Cai.Abstractions.Text;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class ScoringTests
{
    private static double Manual(CausalLanguageModel model, int[] prompt, int[] continuation)
    {
        using var _ = no_grad();
        var ids = prompt.Concat(continuation).Select(i => (long)i).ToArray();
        var logProbs = model.forward(new CausalLMInput(tensor(ids).unsqueeze(0))).Logits[0].log_softmax(-1);
        double sum = 0;
        for (int t = prompt.Length; t < ids.Length; t++) sum += logProbs[t - 1, ids[t]].ToDouble();
        return sum;
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void BatchedScoresEqualOneByOne(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        var requests = new[]
        {
            new TokenScoringRequest([1, 5, 6], [7, 8]),
            new TokenScoringRequest([1], [9, 10, 11, 12, 13]),
            new TokenScoringRequest([1, 20, 21, 22, 23], [24]),
            new TokenScoringRequest([1, 5], []),
        };
        var scores = new ContinuationScorer(model).Score(requests, batchSize: 3);
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(requests[i].ContinuationIds.Count, scores[i].TokenCount);
            double expected = Manual(model, requests[i].PromptIds.ToArray(), requests[i].ContinuationIds.ToArray());
            Assert.True(Math.Abs(expected - scores[i].LogProb) < 1e-4, $"request {i}: {scores[i].LogProb} vs {expected}");
        }
        Assert.Equal(0.0, scores[3].LogProb);
    }

    [Fact]
    public void TokenLogProbsCarryGradients()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        model.train();
        var ids = tensor(new long[] { 1, 5, 6, 7, 0, 1, 9, 10, 11, 12 }, [2, 5]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 0, 1, 1, 1, 1, 1 }, [2, 5]);
        var continuation = tensor(new long[] { 0, 0, 1, 1, 0, 0, 0, 1, 1, 1 }, [2, 5]);
        var perToken = LogProbs.OfContinuations(model, ids, mask, continuation);
        Assert.Equal([2L, 4], perToken.shape);
        Assert.Equal(0.0, perToken[0, 0].ToDouble());
        Assert.Equal(0.0, perToken[0, 3].ToDouble()); // padding
        Assert.True(perToken[0, 1].ToDouble() < 0);
        perToken.sum().backward();
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void TokenLogprobsScoreEveryTokenAfterTheFirstWithTheMostLikelyOnes(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        int[][] sequences = [[1, 5, 6, 7, 8], [1], [1, 20, 21], [1, 9, 10, 11, 12, 13, 14]];
        var scored = new ContinuationScorer(model).TokenLogprobs(sequences, top: 3);
        for (int i = 0; i < sequences.Length; i++)
        {
            var sequence = sequences[i];
            Assert.Equal(sequence.Length - 1, scored[i].Count);
            for (int t = 1; t < sequence.Length; t++)
            {
                var token = scored[i][t - 1];
                Assert.Equal(sequence[t], token.TokenId);
                Assert.Equal(Manual(model, sequence[..t], [sequence[t]]), token.Logprob, 1e-4);
                Assert.Equal(3, token.Top.Count);
                Assert.True(token.Top[0].Logprob >= token.Top[1].Logprob && token.Top[1].Logprob >= token.Top[2].Logprob);
                Assert.True(token.Top[0].Logprob >= token.Logprob - 1e-6);
                if (token.Top.Any(b => b.TokenId == token.TokenId)) Assert.Equal(token.Logprob, token.Top.First(b => b.TokenId == token.TokenId).Logprob, 1e-6);
            }
        }
        Assert.All(new ContinuationScorer(model).TokenLogprobs(sequences)[0], token => Assert.Empty(token.Top));
    }
}
