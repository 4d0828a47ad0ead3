using Cai.Abstractions.Plugins;
using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Models.Training;
using Cai.Plugins.Training.Objectives;
using Cai.Plugins.Training.Preferences;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Reward;

/// <summary>Options of the reward trainer (RL-CAI's preference model), in TRL RewardConfig's names.</summary>
public sealed record RewardOptions : PreferenceTrainerOptions
{
    /// <summary>The reward trainer's defaults where they differ from <see cref="PreferenceTrainerOptions"/>'s.</summary>
    public RewardOptions()
    {
        LearningRate = 1e-4;
        WeightDecay = 0.01;
    }
}

/// <summary>
/// RL-CAI's preference model: a scalar score head on the policy's transformer (a copy of the SL-CAI model, LM head
/// dropped) trained with the Bradley–Terry loss on the labelled comparisons, soft targets p_chosen; reports held-out
/// loss and accuracy. Writes a Hugging Face *ForSequenceClassification checkpoint with the tokenizer.
/// </summary>
[CaiPlugin("reward", Reads = [PreferenceRow.FileName],
    Description = "Reward (preference) model: Bradley–Terry loss with soft labels on labelled comparisons.")]
public sealed class RewardTrainer(PluginContext context, RewardOptions options) : ITrainer
{
    private readonly PreferenceMetrics _metrics = new();

    public Task<TrainingResult> TrainAsync(TrainingRequest request, ITrainingContext training)
    {
        var tokenizer = TextTokenizer.Load(request.PolicyCheckpoint, request.ChatFormat);
        int seed = (int)request.Seed;
        var device = torch.device(request.Device);
        using var model = FromPolicy(request.PolicyCheckpoint, device, seed);
        int maxLength = Math.Min(options.MaxLength, model.Config.ContextLength);
        var pairs = PreferenceDataset.Load(PreferenceDataset.Find(request.Datasets, "reward"), tokenizer, maxLength);
        if (pairs.Count == 0) throw new InvalidOperationException("reward: the preference dataset is empty");
        var (train, eval) = PreferenceDataset.Split(pairs, options.EvalFraction, seed);
        int pad = tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0;
        var evalBatches = PreferenceBatch.Plan(eval, options.BatchSize, pad, seed, epoch: 0);

        var resume = ResumableCheckpoint.TryLoad(training.CheckpointDirectory, model, training.ResumeStep);
        training.Resuming(resume?.Step ?? 0);
        var loop = new TrainingLoop<PreferenceBatch>(model, options.ToTrainingOptions(seed),
            batch => Loss(model, batch), batch => batch.Count, batch => batch.Sequences.TokenCount);
        var last = _metrics.Last;
        loop.OnLog = m => _metrics.Log(m, training);
        loop.OnCheckpoint = state => ResumableCheckpoint.Save(training.CheckpointDirectory, model, state, options.SaveTotalLimit);
        var final = loop.Run(epoch => PreferenceBatch.Plan(train, options.BatchSize, pad, seed, epoch), evalBatches, resume,
            training.CancellationToken);
        RewardModelCheckpoint.Save(model, request.OutputCheckpoint, tokenizer);
        if (eval.Count > 0) HeldOutPredictions.Write(model, evalBatches, training.OutputDirectory);
        context.Logger.LogInformation("reward: {Steps} steps on {Train} comparisons, held-out accuracy {Accuracy:F3} on {Eval}",
            final.Step, train.Count, last.GetValueOrDefault("eval_accuracy", double.NaN), eval.Count);

        var metrics = new Dictionary<string, double> { ["steps"] = final.Step, ["train_pairs"] = train.Count, ["eval_pairs"] = eval.Count };
        foreach (string name in new[] { "loss", "accuracy", "eval_loss", "eval_accuracy", "eval_margin" })
            if (last.TryGetValue(name, out double value)) metrics[name] = value;
        return Task.FromResult(new TrainingResult(request.OutputCheckpoint, metrics));
    }

    private static RewardModel FromPolicy(string policyCheckpoint, Device device, long seed)
    {
        using var policy = CausalLanguageModelLoader.Load(policyCheckpoint, device);
        return RewardModel.FromPolicy(policy, seed);
    }

    /// <summary>The batch's mean Bradley–Terry loss; its accuracy and rewards go to the train or eval window by the model's mode.</summary>
    private Tensor Loss(RewardModel model, PreferenceBatch batch)
    {
        var device = model.Device;
        var rewards = batch.Rewards(model);
        var chosen = rewards.narrow(0, 0, batch.Count);
        var rejected = rewards.narrow(0, batch.Count, batch.Count);
        var probabilityChosen = tensor(batch.ProbabilityChosen, device: device);
        var loss = BradleyTerryLoss.Compute(chosen, rejected, probabilityChosen);

        var window = model.training ? _metrics.Train : _metrics.Eval;
        window.Add("accuracy", BradleyTerryLoss.Accuracy(chosen, rejected, probabilityChosen),
            batch.Pairs.Count(p => p.ProbabilityChosen != 0.5));
        using (no_grad())
        {
            window.Add("margin", (chosen - rejected).mean().item<float>(), batch.Count);
            window.Add("rewards/chosen", chosen.mean().item<float>(), batch.Count);
            window.Add("rewards/rejected", rejected.mean().item<float>(), batch.Count);
        }
        return loss;
    }
}
