using Cai.Abstractions.Plugins;
using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Plugins.Training.Objectives;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Cai.Plugins.Training.Ppo;

/// <summary>
/// RL-CAI: PPO of the policy against the reward model trained on AI preference labels (TRL's PPOTrainer at toy scale).
/// Each iteration samples responses to a seeded batch of prompts.jsonl, scores them, builds per-token rewards (score
/// minus kl_coef·KL to the frozen reference), GAE advantages and returns, and runs ppo_epochs of minibatch updates of
/// the policy and its value head. Writes the policy (without the value head) to the output checkpoint.
/// </summary>
[CaiPlugin("ppo", Reads = [PromptRow.FileName], Models = ["reward"],
    Description = "PPO against the reward model with a KL penalty to the reference (RL-CAI).")]
public sealed class PpoTrainer(PluginContext context, PpoOptions options) : ITrainer
{
    /// <summary>Scores responses instead of the reward model of the request (a rule-based reward, or a test's fake).</summary>
    public IRewardFunction? RewardFunction { get; init; }

    public Task<TrainingResult> TrainAsync(TrainingRequest request, ITrainingContext training)
    {
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, new(options), validateAllProperties: true);
        string dataset = TrainingDatasets.Find(request.Datasets, PromptRow.FileName)
            ?? throw new InvalidOperationException($"ppo needs a {PromptRow.FileName} dataset from the train stage");
        var device = torch.device(request.Device);
        var tokenizer = TextTokenizer.Load(request.PolicyCheckpoint, request.ChatFormat);
        using var reference = CausalLanguageModelLoader.Load(request.ReferenceCheckpoint ?? request.PolicyCheckpoint, device);
        foreach (var parameter in reference.parameters()) parameter.requires_grad = false;
        using var model = new PolicyWithValueHead(CausalLanguageModelLoader.Load(request.PolicyCheckpoint, device), request.Seed);
        var prompts = PromptPool.Load(dataset, tokenizer, model.Policy.Config.ContextLength, options.MaxNewTokens);
        using var ownedReward = RewardFunction is null ? RewardModelFunction.Load(request, device, options.RolloutBatchSize) : null;
        var reward = RewardFunction ?? ownedReward!;

        var updater = new PpoUpdater(model, options);
        var resumed = PpoCheckpoint.TryLoad(training.CheckpointDirectory, model, updater.Optimizer, training.ResumeStep);
        training.Resuming(resumed?.Iteration ?? 0);
        IKlController kl = options.AdaptiveKl
            ? new AdaptiveKlController(resumed?.KlCoef ?? options.KlCoef, options.TargetKl, options.KlHorizon)
            : new FixedKlController(options.KlCoef);
        var collector = new RolloutCollector(model, reference, tokenizer, reward, options);
        if (resumed is not null) context.Logger.LogInformation("ppo: resuming after iteration {Iteration}", resumed.Iteration);

        int done = resumed?.Iteration ?? 0;
        IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
        try
        {
            for (; done < options.Steps; done++)
            {
                training.CancellationToken.ThrowIfCancellationRequested();
                last = Iteration(done, request.Seed, prompts, collector, updater, kl, training.CancellationToken);
                training.Metrics.Log(done + 1, last);
                training.Progress.Report(new TrainingProgress(done + 1, options.Steps,
                    (double)(done + 1) * options.RolloutBatchSize / prompts.Count, last.GetValueOrDefault("loss/policy")));
                if (options.SaveSteps > 0 && (done + 1) % options.SaveSteps == 0 && done + 1 < options.Steps)
                    PpoCheckpoint.Save(training.CheckpointDirectory, model, updater.Optimizer, new(done + 1, kl.KlCoef),
                        options.SaveTotalLimit);
            }
        }
        catch (OperationCanceledException)
        {
            // The model is as it was after `done` iterations: save them so that a resumed run continues from there.
            PpoCheckpoint.Save(training.CheckpointDirectory, model, updater.Optimizer, new(done, kl.KlCoef), options.SaveTotalLimit);
            throw;
        }
        CheckpointWriter.Save(model.Policy, request.OutputCheckpoint, tokenizer);
        context.Logger.LogInformation("ppo: {Steps} iterations of {Batch} rollouts", options.Steps, options.RolloutBatchSize);
        var metrics = new Dictionary<string, double>(last) { ["steps"] = options.Steps };
        return Task.FromResult(new TrainingResult(request.OutputCheckpoint, metrics));
    }

    Dictionary<string, double> Iteration(int iteration, long seed, PromptPool prompts, RolloutCollector collector, PpoUpdater updater,
        IKlController kl, CancellationToken cancellationToken)
    {
        using var scope = torch.NewDisposeScope();
        var batch = prompts.Batch(seed, iteration, options.RolloutBatchSize);
        var rollout = collector.Collect(batch, PpoSeeds.For(seed, iteration, PpoSeeds.Generation), cancellationToken);
        double klCoef = kl.KlCoef;
        var (experience, statistics) = PpoAdvantages.Compute(rollout, klCoef, options);
        var update = updater.Update(experience, PpoSeeds.For(seed, iteration, PpoSeeds.Minibatches));
        kl.Update(statistics.Kl, options.RolloutBatchSize);
        var row = new Dictionary<string, double>
        {
            ["objective/scores"] = statistics.Score,
            ["objective/kl"] = statistics.Kl,
            ["objective/rlhf_reward"] = statistics.RlhfReward,
            ["objective/entropy"] = rollout.Entropy,
            ["response_length"] = rollout.ResponseLength,
            ["kl_coef"] = klCoef,
            ["ppo/updates"] = update.Updates,
            ["ppo/early_stopped"] = update.EarlyStopped ? 1 : 0,
        };
        if (update.Updates > 0)
        {
            row["policy/approxkl"] = update.ApproxKl;
            row["policy/clipfrac"] = update.ClipFraction;
            row["policy/entropy"] = update.Entropy;
            row["loss/policy"] = update.PolicyLoss;
            row["loss/value"] = update.ValueLoss;
            row["val/clipfrac"] = update.ValueClipFraction;
        }
        return row;
    }
}
