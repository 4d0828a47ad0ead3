using Cai.Models.Training;
using Cai.Plugins.Training.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>
/// The PPO epochs over one experience batch: shuffled minibatches, clipped policy loss + vf_coef·clipped value loss −
/// entropy_coef·entropy, global-norm clipping, AdamW; stops the epochs (without taking that step) once the approximate
/// KL to the rollout policy passes early_stop_kl. Every minibatch runs in its own dispose scope.
/// </summary>
public sealed class PpoUpdater
{
    private readonly PolicyWithValueHead _model;
    private readonly PpoOptions _options;
    private readonly List<Parameter> _parameters;

    public PpoUpdater(PolicyWithValueHead model, PpoOptions options)
    {
        (_model, _options) = (model, options);
        Optimizer = AdamWFactory.Create(model, options.LearningRate, options.WeightDecay);
        _parameters = model.parameters().Where(p => p.requires_grad).ToList();
    }

    public AdamW Optimizer { get; }

    public PpoUpdateStatistics Update(Experience experience, int shuffleSeed)
    {
        _model.train();
        var random = new Random(shuffleSeed);
        var sums = new double[6];
        int updates = 0;
        bool stopped = false;
        for (int epoch = 0; epoch < _options.PpoEpochs && !stopped; epoch++)
        {
            long[] order = [.. Enumerable.Range(0, (int)experience.Count).Select(i => (long)i).OrderBy(_ => random.Next())];
            foreach (var rows in order.Chunk(_options.MiniBatchSize))
            {
                using var scope = NewDisposeScope();
                var mini = experience.Rows(rows);
                var mask = mini.Sequences.ActionMask;
                var outputs = _model.Forward(mini.Sequences.InputIds, mini.Sequences.AttentionMask, _options.Temperature);
                double approxKl = ApproximateKl.Compute(outputs.Logprobs, mini.Logprobs, mask).item<float>();
                if (_options.EarlyStopKl > 0 && approxKl > _options.EarlyStopKl)
                {
                    stopped = true;
                    break;
                }
                var policy = ClippedPolicyLoss.Compute(outputs.Logprobs, mini.Logprobs, mini.Advantages, mask, _options.Cliprange);
                var value = ClippedValueLoss.Compute(outputs.Values!, mini.Values, mini.Returns, mask, _options.CliprangeValue);
                var entropy = TokenEntropy.MaskedMean(outputs.Logits, mask);
                var loss = policy.Loss + _options.VfCoef * value.Loss - _options.EntropyCoef * entropy;
                double lossValue = loss.item<float>();
                if (!double.IsFinite(lossValue))
                    throw new TrainingDivergedException($"PPO diverged: loss is {lossValue}. Lower the learning rate.");
                Optimizer.zero_grad();
                loss.backward();
                double maxNorm = _options.MaxGradNorm > 0 ? _options.MaxGradNorm : double.MaxValue;
                double gradNorm = nn.utils.clip_grad_norm_(_parameters.Where(p => p.grad is not null), maxNorm);
                if (!double.IsFinite(gradNorm))
                    throw new TrainingDivergedException(
                        $"PPO diverged: gradient norm is {gradNorm} at update {updates + 1} of this batch. Lower the learning rate.");
                Optimizer.step();
                updates++;
                double[] step = [approxKl, policy.ClipFraction.item<float>(), policy.Loss.item<float>(), value.Loss.item<float>(),
                    value.ClipFraction.item<float>(), entropy.item<float>()];
                for (int i = 0; i < sums.Length; i++) sums[i] += step[i];
            }
        }
        double Mean(int i) => updates > 0 ? sums[i] / updates : double.NaN;
        return new PpoUpdateStatistics(Mean(0), Mean(1), Mean(2), Mean(3), Mean(4), Mean(5), updates, stopped);
    }
}

/// <summary>Means over the optimizer steps of one iteration's PPO epochs (TRL's policy/*, loss/*, val/* metrics).</summary>
/// <param name="ApproxKl">Approximate KL between the current and the rollout policy, before each step.</param>
/// <param name="ClipFraction">Fraction of response tokens where the policy ratio was clipped.</param>
/// <param name="PolicyLoss">Clipped surrogate loss.</param>
/// <param name="ValueLoss">Clipped value loss.</param>
/// <param name="ValueClipFraction">Fraction of response tokens where the value was clipped.</param>
/// <param name="Entropy">Mean per-token entropy of the current policy.</param>
/// <param name="Updates">Optimizer steps taken.</param>
/// <param name="EarlyStopped">Whether the epochs stopped because the approximate KL passed early_stop_kl.</param>
public sealed record PpoUpdateStatistics(double ApproxKl, double ClipFraction, double PolicyLoss, double ValueLoss,
    double ValueClipFraction, double Entropy, int Updates, bool EarlyStopped);
