using Cai.Abstractions.Text;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class KeyValueCacheTests
{
    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void CachedDecodingGivesTheLogitsOfFullRecomputation(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        using var _ = no_grad();
        var prompt = tensor(new long[] { 1, 17, 42, 5, 63, 8 }).unsqueeze(0);
        using var cache = model.CreateCache(1, 20, CPU, ScalarType.Float32);
        var logits = model.forward(new CausalLMInput(prompt, PastKeyValues: cache)).Logits;
        var tokens = prompt.data<long>().ToList();
        var stepLogits = new List<Tensor> { logits[0, -1] };
        for (int step = 0; step < 8; step++)
        {
            long next = stepLogits[^1].argmax().ToInt64();
            tokens.Add(next);
            stepLogits.Add(model.forward(new CausalLMInput(tensor(new[] { next }).unsqueeze(0), PastKeyValues: cache)).Logits[0, -1]);
        }
        Assert.Equal(tokens.Count, cache.Length);
        var full = model.forward(new CausalLMInput(tensor(tokens.ToArray()).unsqueeze(0))).Logits[0];
        for (int i = 0; i < stepLogits.Count; i++)
        {
            double diff = (full[prompt.shape[1] - 1 + i] - stepLogits[i]).abs().max().ToDouble();
            Assert.True(diff < 1e-4, $"step {i}: max |cached - full| = {diff}");
        }
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void LeftPaddedBatchGivesTheLogitsOfEachSequenceAlone(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        using var _ = no_grad();
        long[][] prompts = [[1, 17, 42, 5, 63, 8], [1, 9], [1, 30, 31, 32]];
        int length = prompts.Max(p => p.Length);
        var ids = new long[prompts.Length * length];
        var mask = new long[prompts.Length * length];
        for (int b = 0; b < prompts.Length; b++)
            for (int t = 0; t < prompts[b].Length; t++)
            {
                ids[b * length + length - prompts[b].Length + t] = prompts[b][t];
                mask[b * length + length - prompts[b].Length + t] = 1;
            }
        var batched = model.forward(new CausalLMInput(tensor(ids, [prompts.Length, length]), tensor(mask, [prompts.Length, length]))).Logits;
        for (int b = 0; b < prompts.Length; b++)
        {
            var alone = model.forward(new CausalLMInput(tensor(prompts[b]).unsqueeze(0))).Logits[0];
            var mine = batched[b].narrow(0, length - prompts[b].Length, prompts[b].Length);
            double diff = (alone - mine).abs().max().ToDouble();
            Assert.True(diff < 1e-4, $"prompt {b}: max diff {diff}");
        }
    }

    [Theory]
    [MemberData(nameof(TinyModels.Architectures), MemberType = typeof(TinyModels))]
    public void BatchedGreedyGenerationEqualsOneByOne(string architecture)
    {
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        var generator = new TokenGenerator(model);
        int[][] prompts = [[1, 17, 42, 5, 63, 8, 11], [1, 9], [1, 30, 31, 32], [1, 2 + 3]];
        var options = new GenerationOptions { Temperature = 0, MaxNewTokens = 12, BatchSize = 8 };
        var batched = generator.Generate(prompts, options);
        for (int i = 0; i < prompts.Length; i++)
        {
            var alone = generator.Generate([prompts[i]], options);
            Assert.Equal(alone[0][0].TokenIds, batched[i][0].TokenIds);
            Assert.Equal(alone[0][0].FinishReason, batched[i][0].FinishReason);
        }
    }

    [Fact]
    public void CacheRefusesMorePositionsThanAllocated()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        using var _ = no_grad();
        using var cache = model.CreateCache(1, 4, CPU, ScalarType.Float32);
        var e = Assert.Throws<InvalidOperationException>(() => model.forward(new CausalLMInput(tensor(new long[] { 1, 2, 3, 4, 5 }).unsqueeze(0), PastKeyValues: cache)));
        Assert.Contains("holds 4 positions", e.Message);
    }

    [Fact]
    public void CacheIsWrittenInPlace()
    {
        using var model = TinyModels.Create(TinyModels.LlamaConfig());
        using var _ = no_grad();
        using var cache = model.CreateCache(2, 16, CPU, ScalarType.Float32);
        long bytes = cache.SizeInBytes;
        model.forward(new CausalLMInput(randint(0, 97, [2, 5]), PastKeyValues: cache));
        model.forward(new CausalLMInput(randint(0, 97, [2, 1]), PastKeyValues: cache));
        Assert.Equal(6, cache.Length);
        Assert.Equal(bytes, cache.SizeInBytes);
        Assert.Equal(2L * 2 * 2 * 2 * 16 * 8 * 4, bytes); // layers * (k, v) * batch * kv_heads * max_len * head_dim * fp32
    }
}
