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
    public void RaggedDecodingGivesTheLogitsOfFullRecomputation(string architecture)
    {
        // Rows of different lengths in one cache, each fed its next token at its own position.
        using var model = TinyModels.Create(TinyModels.ConfigFor(architecture));
        using var _ = no_grad();
        long[][] rows = [[1, 17, 42, 5, 63, 8], [1, 9], [1, 30, 31, 32]];
        using var cache = model.CreateCache(rows.Length, 16, CPU, ScalarType.Float32);
        for (int r = 0; r < rows.Length; r++)
        {
            using var row = cache.Rows(r, 1);
            model.forward(new CausalLMInput(tensor(rows[r]).unsqueeze(0), PastKeyValues: row));
        }
        var tokens = rows.Select(r => r.ToList()).ToList();
        var lengths = tensor(rows.Select(r => (long)r.Length).ToArray());
        for (int step = 0; step < 5; step++)
        {
            var next = tensor(tokens.Select(t => (long)(3 + (t.Sum() * 7 + step) % 90)).ToArray());
            int keyLength = tokens.Max(t => t.Count) + 1;
            var logits = model.forward(new CausalLMInput(next.unsqueeze(1), PastKeyValues: cache, CacheLengths: lengths, KeyLength: keyLength)).Logits;
            var ids = next.data<long>().ToArray();
            for (int r = 0; r < rows.Length; r++)
            {
                tokens[r].Add(ids[r]);
                var full = model.forward(new CausalLMInput(tensor(tokens[r].ToArray()).unsqueeze(0))).Logits[0, -1];
                double diff = (full - logits[r, 0]).abs().max().ToDouble();
                Assert.True(diff < 1e-4, $"row {r}, step {step}: max |ragged - full| = {diff}");
            }
            lengths.add_(1);
        }
    }

    [Fact]
    public void MovingARowCopiesItsPositionsOnly()
    {
        using var cache = new KeyValueCache(2, 3, 1, 4, 2, CPU, ScalarType.Float32);
        using var _ = no_grad();
        for (int layer = 0; layer < 2; layer++)
        {
            using var rows = cache.Rows(0, 3);
            var keys = arange(3 * 4 * 2, dtype: ScalarType.Float32).view(3, 1, 4, 2) + 100 * layer;
            rows.Update(layer, keys, -keys);
        }
        cache.MoveRow(2, 0, 3);
        using var all = cache.Rows(0, 3);
        var (k, v) = all.Write(1, zeros(3, 1, 1, 2), zeros(3, 1, 1, 2), tensor(new long[] { 3, 3, 3 }).view(3, 1, 1, 1).expand(3, 1, 1, 2), 4);
        Assert.Equal(new float[] { 116, 117, 118, 119, 120, 121, 0, 0 }, k[0].data<float>().ToArray()); // row 2's first 3 positions, then what Write put
        Assert.Equal(new float[] { -116, -117, -118, -119, -120, -121, 0, 0 }, v[0].data<float>().ToArray());
        Assert.Equal(new float[] { 108, 109, 110, 111, 112, 113, 0, 0 }, k[1].data<float>().ToArray());
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
