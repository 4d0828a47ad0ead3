using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Tokenization;
using Cai.Models.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Cai.Plugins.Training.Sft;

/// <summary>Options of the sft trainer (SL-CAI): causal LM loss on response tokens of revisions and helpful samples.</summary>
public sealed record SftOptions : TrainerOptions
{
    /// <summary>The sft trainer's defaults where they differ from <see cref="TrainerOptions"/>'s.</summary>
    public SftOptions()
    {
        LearningRate = 3e-4;
        WeightDecay = 0.1;
        BatchSize = 16;
        EvalFraction = 0.05;
    }

    /// <summary>Which revisions to learn from: all rounds (the paper) or only the last.</summary>
    [AllowedValues("all", "last")]
    public string RevisionRounds { get; init; } = "all";

    /// <summary>Helpful examples per revision example, at most (the paper mixes both); 0 leaves them out.</summary>
    [Range(0.0, 1000.0)]
    public double HelpfulRatio { get; init; } = 1.0;
}

/// <summary>
/// SL-CAI fine-tuning: the policy learns the revisions of every round (and helpful samples) with the causal LM loss on
/// response tokens only; AdamW with decay groups, warmup + cosine, clipping, eval loss and resumable checkpoints.
/// </summary>
[CaiPlugin("sft", Reads = [SftRow.FileName], Description = "Supervised fine-tuning on revisions and helpful samples (SL-CAI).")]
public sealed class SftTrainer(PluginContext context, SftOptions options) : ITrainer
{
    public Task<TrainingResult> TrainAsync(TrainingRequest request, ITrainingContext training)
    {
        string dataset = TrainingDatasets.Find(request.Datasets, SftRow.FileName)
            ?? throw new InvalidOperationException(
                $"sft needs an {SftRow.FileName} dataset: put a critique-revise or generate stage before it");
        var device = torch.device(request.Device);
        var tokenizer = TextTokenizer.Load(request.PolicyCheckpoint, request.ChatFormat);
        var examples = SftExamples.Load(dataset, tokenizer, options, (int)request.Seed);
        if (examples.Count == 0) throw new InvalidOperationException($"{dataset} has no examples");
        int evalCount = (int)(examples.Count * options.EvalFraction);
        var eval = Batches(examples.Take(evalCount).ToList(), tokenizer, seed: 0, epoch: 0);
        var train = examples.Skip(evalCount).ToList();

        using var model = CausalLanguageModelLoader.Load(request.PolicyCheckpoint, device);
        var resume = ResumableCheckpoint.TryLoad(training.CheckpointDirectory, model, training.ResumeStep);
        training.Resuming(resume?.Step ?? 0);
        var loop = CausalLMTrainingLoop.Create(model, options.ToTrainingOptions((int)request.Seed), device);
        double? lastLoss = null, evalLoss = null;
        loop.OnLog = m =>
        {
            training.Metrics.Log(m.Step, m.ToRow());
            lastLoss = m.Loss ?? lastLoss;
            evalLoss = m.EvalLoss ?? evalLoss;
            training.Progress.Report(new TrainingProgress(m.Step, 0, m.Epoch, m.Loss));
        };
        loop.OnCheckpoint = state => ResumableCheckpoint.Save(training.CheckpointDirectory, model, state, options.SaveTotalLimit);
        var final = loop.Run(epoch => Batches(train, tokenizer, (int)request.Seed, epoch), eval, resume, training.CancellationToken);
        CheckpointWriter.Save(model, request.OutputCheckpoint, tokenizer);
        context.Logger.LogInformation("sft: {Steps} steps on {Examples} examples", final.Step, examples.Count);
        var metrics = new Dictionary<string, double> { ["steps"] = final.Step, ["examples"] = examples.Count };
        if (lastLoss is { } loss) metrics["loss"] = loss;
        if (evalLoss is { } e) metrics["eval_loss"] = e;
        return Task.FromResult(new TrainingResult(request.OutputCheckpoint, metrics));
    }

    IReadOnlyList<CausalLMBatch> Batches(IReadOnlyList<TokenizedExample> examples, TextTokenizer tokenizer, int seed, int epoch)
    {
        int pad = tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0;
        return BatchPlanner.LengthBucketed(examples.Select(e => e.Length).ToList(), options.BatchSize, seed, epoch)
            .Select(indices => BatchCollator.Pad(indices.Select(i => examples[i]).ToList(), pad, options.MaxLength))
            .ToList();
    }
}
