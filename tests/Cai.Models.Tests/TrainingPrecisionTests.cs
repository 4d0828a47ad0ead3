using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Models.Training;
using static TorchSharp.torch;

namespace Cai.Models.Tests;

/// <summary>bfloat16 training with float32 master weights (<see cref="MasterWeights"/>) against float32, on the toy model.</summary>
public class TrainingPrecisionTests
{
    private static readonly string _toyModel = Path.Combine(ReferenceLlamaTests.RepositoryRoot(), "models", "cai-tiny-base");

    private static readonly string[] _things = ["river", "stone", "lamp", "cloud", "garden", "bridge", "kettle", "window"];
    private static readonly string[] _colours = ["green", "grey", "yellow", "white", "red", "blue", "black", "brown"];

    /// <summary>SFT rows of the toy world's chat format: prompt, then a completion ending with eos.</summary>
    private static List<TokenizedExample> Examples(TextTokenizer tokenizer) =>
        [.. _things.SelectMany((thing, i) => _colours.Take(3).Select((_, j) => new TokenizedExample(
            tokenizer.Encode(ChatFormat.Default.Render(Cai.Abstractions.Text.Conversation.FromPrompt($"What colour is the {thing}?"))),
            [.. tokenizer.Encode($" The {thing} is {_colours[(i + j) % _colours.Length]}.", addSpecialTokens: false), tokenizer.EosTokenId!.Value])))];

    /// <summary>SFT losses of every step, and the model after training (the caller disposes it).</summary>
    private static (List<double> Losses, CausalLanguageModel Model) Sft(TrainingPrecision precision, int saveSteps = 0,
        Action<CausalLanguageModel>? onCheckpoint = null)
    {
        var tokenizer = TextTokenizer.Load(_toyModel);
        var examples = Examples(tokenizer);
        var model = CausalLanguageModelLoader.Load(_toyModel);
        var loop = CausalLMTrainingLoop.Create(model, new TrainingOptions
        {
            MaxSteps = 16, LearningRate = 5e-4, WarmupSteps = 2, LoggingSteps = 1, SaveSteps = saveSteps, Seed = 3, Precision = precision,
        });
        var losses = new List<double>();
        loop.OnLog = m => { if (m.Loss is { } loss) losses.Add(loss); };
        loop.OnCheckpoint = _ => onCheckpoint?.Invoke(model);
        loop.Run(epoch => [.. BatchPlanner.Shuffled(examples.Count, 6, seed: 3, epoch)
            .Select(batch => BatchCollator.Pad([.. batch.Select(i => examples[i])], tokenizer.PadTokenId ?? 0, maxLength: 64))]);
        return (losses, model);
    }

    [Fact]
    public void Bf16LossCurveStaysWithinTwoPercentOfFp32()
    {
        var (fp32, fp32Model) = Sft(TrainingPrecision.Float32);
        var (bf16, bf16Model) = Sft(TrainingPrecision.BFloat16);
        using (fp32Model)
        using (bf16Model)
        {
            Assert.Equal(16, fp32.Count);
            Assert.Equal(16, bf16.Count);
            Assert.True(fp32[^1] < 0.7 * fp32[0], $"fp32 SFT loss {fp32[0]:F3} -> {fp32[^1]:F3}: the curve should fall");
            for (int step = 0; step < fp32.Count; step++)
                Assert.True(Math.Abs(bf16[step] - fp32[step]) <= 0.02 * fp32[step],
                    $"step {step + 1}: bf16 loss {bf16[step]:F4}, fp32 {fp32[step]:F4} ({100 * Math.Abs(bf16[step] / fp32[step] - 1):F2} % apart); " +
                    $"fp32 {string.Join(" ", fp32.Select(l => l.ToString("F4")))}, bf16 {string.Join(" ", bf16.Select(l => l.ToString("F4")))}");
            // The model trained in bf16 leaves Run in float32 with the masters' values, not their bf16 roundings.
            Assert.Equal(ScalarType.Float32, bf16Model.DType);
            using var scope = NewDisposeScope();
            var weight = bf16Model.named_parameters().Single(p => p.name == "model.layers.0.mlp.down_proj.weight").parameter;
            Assert.True(weight.ne(weight.to(ScalarType.BFloat16).to(ScalarType.Float32)).any().item<bool>(),
                "the weights are bf16 roundings, not the float32 masters");
        }
    }

    [Fact]
    public void ACheckpointSeesFloat32WeightsAndChangesNothing()
    {
        var dtypes = new List<ScalarType>();
        var (withCheckpoints, model) = Sft(TrainingPrecision.BFloat16, saveSteps: 5, onCheckpoint: m => dtypes.Add(m.DType));
        var (without, other) = Sft(TrainingPrecision.BFloat16);
        using (model)
        using (other)
        {
            Assert.Equal([ScalarType.Float32, ScalarType.Float32, ScalarType.Float32], dtypes);
            Assert.Equal(without, withCheckpoints);
            using var scope = NewDisposeScope();
            foreach (var ((name, a), (_, b)) in model.named_parameters().Zip(other.named_parameters()))
                Assert.True(a.eq(b).all().item<bool>(), $"{name} differs after a run with checkpoints");
        }
    }

    [Theory]
    [InlineData("fp32", TrainingPrecision.Float32)]
    [InlineData("bf16", TrainingPrecision.BFloat16)]
    public void RecipeNamesParse(string name, TrainingPrecision expected) => Assert.Equal(expected, TrainingPrecisions.Parse(name));

    [Fact]
    public void AnUnknownPrecisionNamesTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingPrecisions.Parse("fp16"));
        Assert.Equal("precision must be fp32 or bf16, not 'fp16'.", e.Message);
    }
}
