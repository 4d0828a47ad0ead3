using Cai.Models.Training;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

public class TrainingOptimizationTests
{
    [Fact]
    public void LossIsMeanCrossEntropyOverShiftedUnignoredLabels()
    {
        using var scope = NewDisposeScope();
        float[] logits = [.. Enumerable.Range(0, 2 * 3 * 4).Select(i => MathF.Sin(i * 1.3f) * 2)];
        long[] labels = [9, 2, CausalLMBatch.IgnoreIndex, 9, 1, 3];

        double actual = CausalLMLoss.Compute(tensor(logits, [2, 3, 4]), tensor(labels, [2, 3])).item<float>();

        // Row r, position t predicts labels[r, t+1].
        var terms = new List<double>();
        for (int r = 0; r < 2; r++)
            for (int t = 0; t < 2; t++)
            {
                long label = labels[r * 3 + t + 1];
                if (label == CausalLMBatch.IgnoreIndex) continue;
                var row = logits.Skip((r * 3 + t) * 4).Take(4).Select(v => (double)v).ToArray();
                double logSumExp = Math.Log(row.Sum(Math.Exp));
                terms.Add(logSumExp - row[label]);
            }
        Assert.Equal(3, terms.Count);
        Assert.Equal(terms.Average(), actual, 5);
    }

    [Fact]
    public void WarmupCosineMatchesHandComputedPoints()
    {
        var schedule = new WarmupCosineSchedule(1.0, WarmupSteps: 10, TotalSteps: 110);
        Assert.Equal(0.0, schedule.LearningRateAt(0), 12);
        Assert.Equal(0.5, schedule.LearningRateAt(5), 12);
        Assert.Equal(1.0, schedule.LearningRateAt(10), 12);
        Assert.Equal(0.5, schedule.LearningRateAt(60), 12);
        Assert.Equal((1 + Math.Cos(Math.PI / 4)) / 2, schedule.LearningRateAt(35), 12);
        Assert.Equal(0.0, schedule.LearningRateAt(110), 12);
        var floored = schedule with { MinLearningRateRatio = 0.1 };
        Assert.Equal(0.55, floored.LearningRateAt(60), 12);
        Assert.Equal(0.1, floored.LearningRateAt(200), 12);
    }

    [Fact]
    public void WeightDecayOnlyOnMatricesThatAreNotEmbeddingsOrNorms()
    {
        using var model = new TrainingTestModel();
        var (decay, noDecay) = AdamWFactory.GroupNames(model);
        Assert.Equal(["mlp.weight", "lm_head.weight"], decay);
        Assert.Equal(["embed_tokens.weight", "mlp.bias", "norm.bias", "norm.weight"], noDecay.Order(StringComparer.Ordinal));

        using var optimizer = AdamWFactory.Create(model, 1e-3, weightDecay: 0.1);
        var groups = optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>().ToList();
        Assert.Equal(0.1, ((TorchSharp.Modules.AdamW.Options)groups[0].Options).weight_decay);
        Assert.Equal(0.0, ((TorchSharp.Modules.AdamW.Options)groups[1].Options).weight_decay);
        Assert.Equal(2, groups[0].Parameters.Count());
    }

    [Fact]
    public void TiedLmHeadIsNotDecayedAndAppearsOnce()
    {
        using var model = new TrainingTestModel(tied: true);
        var (decay, noDecay) = AdamWFactory.GroupNames(model);
        Assert.Equal(["mlp.weight"], decay);
        Assert.Equal(4, noDecay.Count);
    }
}
