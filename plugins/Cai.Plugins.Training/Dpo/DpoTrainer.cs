using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Models.Training;
using Cai.Plugins.Training.Preferences;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Dpo;

/// <summary>Options of the dpo trainer (RL-CAI without a reward model), in TRL DPOConfig's names.</summary>
public sealed record DpoOptions : PreferenceTrainerOptions
{
    /// <summary>The dpo trainer's defaults where they differ from <see cref="PreferenceTrainerOptions"/>'s.</summary>
    public DpoOptions()
    {
        LearningRate = 5e-5; // 5e-5 to 1e-4 suits tiny models; TRL's 1e-6 suits large ones
        WarmupRatio = 0.1;
    }

    /// <summary>β: strength of the implicit KL constraint toward the reference (higher stays closer).</summary>
    [Range(0.0, 1000.0, MinimumIsExclusive = true)]
    public double Beta { get; init; } = 0.1;

    /// <summary>Use each pair's soft label p_chosen as P(chosen is better) (the CAI paper's soft preference labels).</summary>
    public bool SoftLabels { get; init; } = true;

    /// <summary>ε of conservative DPO when soft_labels is false: every pair gets P(chosen is better) = 1 − ε.</summary>
    [Range(0.0, 0.5, MaximumIsExclusive = true)]
    public double LabelSmoothing { get; init; }
}

/// <summary>
/// Direct preference optimisation (Rafailov et al. 2023) on the labelled comparisons: the policy (from SL-CAI) learns
/// the preferences directly against a frozen reference (the policy at stage start), with the soft labels p_chosen or
/// label smoothing. Logs TRL's rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins, on held-out pairs too.
/// </summary>
[CaiPlugin("dpo", Reads = [PreferenceRow.FileName],
    Description = "DPO on labelled comparisons with soft labels (or label smoothing) and β, against the SL-CAI reference.")]
public sealed class DpoTrainer(PluginContext context, DpoOptions options) : ITrainer
{
    private readonly PreferenceMetrics _metrics = new();

    public Task<TrainingResult> TrainAsync(TrainingRequest request, ITrainingContext training)
    {
        var tokenizer = TextTokenizer.Load(request.PolicyCheckpoint, request.ChatFormat);
        int seed = (int)request.Seed;
        var device = torch.device(request.Device);
        int maxLength = Math.Min(options.MaxLength, ModelConfig.Load(request.PolicyCheckpoint).ContextLength);
        var pairs = PreferenceDataset.Load(PreferenceDataset.Find(request.Datasets, "dpo"), tokenizer, maxLength);
        if (pairs.Count == 0) throw new InvalidOperationException("dpo: the preference dataset is empty");
        var (train, eval) = PreferenceDataset.Split(pairs, options.EvalFraction, seed);
        int pad = tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0;
        // Without a reference checkpoint the reference is the starting policy, as in TRL.
        var reference = ReferenceLogProbs.Compute(request.ReferenceCheckpoint ?? request.PolicyCheckpoint, pairs, pad, device,
            2 * options.BatchSize, training.CancellationToken);

        using var policy = CausalLanguageModelLoader.Load(request.PolicyCheckpoint, device);
        var resume = ResumableCheckpoint.TryLoad(training.CheckpointDirectory, policy, training.ResumeStep);
        training.Resuming(resume?.Step ?? 0);
        var loop = new TrainingLoop<PreferenceBatch>(policy, options.ToTrainingOptions(seed),
            batch => Loss(policy, reference, batch), batch => batch.Count, batch => batch.Sequences.TokenCount);
        var last = _metrics.Last;
        loop.OnLog = m => _metrics.Log(m, training);
        loop.OnCheckpoint = state => ResumableCheckpoint.Save(training.CheckpointDirectory, policy, state, options.SaveTotalLimit);
        var evalBatches = PreferenceBatch.Plan(eval, options.BatchSize, pad, seed, epoch: 0);
        var final = loop.Run(epoch => PreferenceBatch.Plan(train, options.BatchSize, pad, seed, epoch), evalBatches, resume,
            training.CancellationToken);
        CheckpointWriter.Save(policy, request.OutputCheckpoint, tokenizer);
        context.Logger.LogInformation("dpo: {Steps} steps on {Train} comparisons, held-out reward accuracy {Accuracy:F3} on {Eval}",
            final.Step, train.Count, last.GetValueOrDefault("eval_rewards/accuracies", double.NaN), eval.Count);

        var metrics = new Dictionary<string, double> { ["steps"] = final.Step, ["train_pairs"] = train.Count, ["eval_pairs"] = eval.Count };
        foreach (var (name, value) in last.Where(m => m.Key.StartsWith("eval_", StringComparison.Ordinal)
            || m.Key.StartsWith("rewards/", StringComparison.Ordinal) || m.Key == "loss"))
            metrics[name] = value;
        return Task.FromResult(new TrainingResult(request.OutputCheckpoint, metrics));
    }

    /// <summary>The batch's mean DPO loss; its implicit rewards go to the train or eval window by the policy's mode.</summary>
    private Tensor Loss(CausalLanguageModel policy, ReferenceLogProbs reference, PreferenceBatch batch)
    {
        var device = policy.Device;
        var sequences = batch.Sequences;
        var logps = LogProbs.SumOfContinuations(policy, sequences.InputIdsTensor(device), sequences.AttentionMaskTensor(device),
            sequences.LabelsTensor(device).ne(CausalLMBatch.IgnoreIndex));
        var chosen = logps.narrow(0, 0, batch.Count);
        var rejected = logps.narrow(0, batch.Count, batch.Count);
        var referenceChosen = tensor(reference.Chosen(batch), device: device);
        var referenceRejected = tensor(reference.Rejected(batch), device: device);
        var output = options.SoftLabels
            ? DpoLoss.Compute(chosen, rejected, referenceChosen, referenceRejected, options.Beta,
                tensor(batch.ProbabilityChosen, device: device))
            : DpoLoss.Compute(chosen, rejected, referenceChosen, referenceRejected, options.Beta, options.LabelSmoothing);

        var window = policy.training ? _metrics.Train : _metrics.Eval;
        using (no_grad())
        {
            window.Add("rewards/chosen", output.ChosenRewards.mean().item<float>(), batch.Count);
            window.Add("rewards/rejected", output.RejectedRewards.mean().item<float>(), batch.Count);
            window.Add("rewards/accuracies", output.RewardAccuracy.item<float>(), batch.Count);
            window.Add("rewards/margins", output.RewardMargin.item<float>(), batch.Count);
            window.Add("logps/chosen", chosen.mean().item<float>(), batch.Count);
            window.Add("logps/rejected", rejected.mean().item<float>(), batch.Count);
        }
        return output.Loss;
    }
}
