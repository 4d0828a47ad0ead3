using Cai.Models.Training;
using Cai.Plugins.Training.Dpo;
using Cai.Plugins.Training.Ppo;
using Cai.Plugins.Training.Reward;
using Cai.Plugins.Training.Sft;

namespace Cai.Plugins.Training.Tests;

public class TrainerOptionsTests
{
    [Fact]
    public void EachTrainerKeepsItsOwnDefaults()
    {
        // (learning_rate, weight_decay, warmup_ratio, batch_size, eval_fraction) of each trainer, as recipes know them.
        Assert.Equal((3e-4, 0.1, 0.05, 16, 0.05), Shared(new SftOptions()));
        Assert.Equal((1e-4, 0.01, 0.05, 8, 0.1), Shared(new RewardOptions()));
        Assert.Equal((5e-5, 0.0, 0.1, 8, 0.1), Shared(new DpoOptions()));
        var ppo = new PpoOptions();
        Assert.Equal((2e-5, 0.0, 1.0), (ppo.LearningRate, ppo.WeightDecay, ppo.MaxGradNorm));
        // The rest is the same for sft, reward and dpo.
        foreach (TrainerOptions options in new TrainerOptions[] { new SftOptions(), new RewardOptions(), new DpoOptions() })
            Assert.Equal((1, (int?)null, 1.0, "fp32", 384, 50, 5), (options.Epochs, options.MaxSteps, options.MaxGradNorm,
                options.Precision, options.MaxLength, options.SaveSteps, options.LoggingSteps));
        Assert.Equal(50, new RewardOptions().EvalSteps);
        Assert.Equal(50, new DpoOptions().EvalSteps);
    }

    [Fact]
    public void OptionsBecomeTheLoopsOptionsWithTheRunsSeed()
    {
        var sft = new SftOptions { Epochs = 2, MaxSteps = 7, WarmupRatio = 0.2, MaxGradNorm = 0.5, SaveSteps = 3, LoggingSteps = 4 };
        var loop = sft.ToTrainingOptions(seed: 9);

        Assert.Equal(new TrainingOptions
        {
            Epochs = 2,
            MaxSteps = 7,
            LearningRate = 3e-4,
            WeightDecay = 0.1,
            WarmupRatio = 0.2,
            MaxGradNorm = 0.5,
            SaveSteps = 3,
            LoggingSteps = 4,
            Seed = 9,
        }, loop);
        Assert.Equal(0, loop.EvalSteps); // sft evaluates at the end only
        Assert.Equal(TrainingPrecision.BFloat16, (sft with { Precision = "bf16" }).ToTrainingOptions(seed: 9).Precision);
        Assert.Equal(12, new DpoOptions { EvalSteps = 12 }.ToTrainingOptions(seed: 9).EvalSteps);
        Assert.Equal(50, new RewardOptions().ToTrainingOptions(seed: 9).EvalSteps);
    }

    private static (double, double, double, int, double) Shared(TrainerOptions options) =>
        (options.LearningRate, options.WeightDecay, options.WarmupRatio, options.BatchSize, options.EvalFraction);
}
