using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Training;

/// <summary>
/// Optimizer steps over seeded batches: gradient accumulation weighted by each micro-batch's loss weight (e.g. its
/// response tokens, so the step's loss is the mean over all of them), warmup + cosine learning rate, global-norm
/// clipping, AdamW with decay/no-decay groups, logging, periodic eval and checkpoints, exact resume, and a clear stop
/// on NaN/Inf. Every micro-batch runs in its own dispose scope: no tensors outlive a step. With
/// <see cref="TrainingPrecision.BFloat16"/> the model is bfloat16 during <see cref="Run"/> and float32 master weights
/// take the optimizer steps (<see cref="MasterWeights"/>); before and after Run, and when a checkpoint is taken, the
/// model is float32 with the masters' values.
/// </summary>
/// <typeparam name="TBatch">A micro-batch, kept as plain data until its step.</typeparam>
public sealed class TrainingLoop<TBatch>
{
    private readonly nn.Module _model;
    private readonly TrainingOptions _options;
    private readonly Func<TBatch, Tensor> _loss;
    private readonly Func<TBatch, double> _lossWeight;
    private readonly Func<TBatch, long> _tokenCount;
    private readonly MasterWeights? _masters; // bfloat16 training: the float32 weights the optimizer updates

    /// <param name="model">The module trained (all parameters with requires_grad).</param>
    /// <param name="options">Hyperparameters.</param>
    /// <param name="loss">Forward pass of one micro-batch to its mean loss (a scalar).</param>
    /// <param name="lossWeight">Weight of a micro-batch's mean loss within its step; 0 skips it.</param>
    /// <param name="tokenCount">Real tokens in a micro-batch, for throughput.</param>
    public TrainingLoop(nn.Module model, TrainingOptions options, Func<TBatch, Tensor> loss, Func<TBatch, double> lossWeight, Func<TBatch, long> tokenCount)
    {
        options.Validate();
        (_model, _options, _loss, _lossWeight, _tokenCount) = (model, options, loss, lossWeight, tokenCount);
        _masters = options.Precision == TrainingPrecision.BFloat16 ? new MasterWeights(model) : null;
        Optimizer = _masters is null
            ? AdamWFactory.Create(model, options.LearningRate, options.WeightDecay, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon)
            : AdamWFactory.Create(model, _masters.ByName, options.LearningRate, options.WeightDecay, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon);
    }

    public AdamW Optimizer { get; }

    /// <summary>Receives metrics every <see cref="TrainingOptions.LoggingSteps"/> steps and after each evaluation.</summary>
    public Action<TrainingMetrics>? OnLog { get; set; }

    /// <summary>
    /// Called every <see cref="TrainingOptions.SaveSteps"/> steps, and at the step boundary where a cancellation is seen
    /// (before <see cref="OperationCanceledException"/> is thrown); the caller saves the model and <c>state.Save(dir)</c>
    /// where it likes.
    /// </summary>
    public Action<TrainingState>? OnCheckpoint { get; set; }

    /// <summary>
    /// Trains. <paramref name="epochBatches"/> gives the (seeded) micro-batch order of an epoch and must give the same
    /// order and count for the same epoch every time, so that <paramref name="resumeFrom"/> continues exactly.
    /// </summary>
    /// <returns>The state after the last step.</returns>
    public TrainingState Run(Func<int, IReadOnlyList<TBatch>> epochBatches, IReadOnlyList<TBatch>? evalBatches = null,
        TrainingState? resumeFrom = null, CancellationToken cancellationToken = default)
    {
        _masters?.Enter();
        try
        {
            return Train(epochBatches, evalBatches, resumeFrom, cancellationToken);
        }
        finally
        {
            _masters?.Leave();
        }
    }

    private TrainingState Train(Func<int, IReadOnlyList<TBatch>> epochBatches, IReadOnlyList<TBatch>? evalBatches,
        TrainingState? resumeFrom, CancellationToken cancellationToken)
    {
        var batches = epochBatches(resumeFrom?.Epoch ?? 0);
        if (batches.Count == 0) throw new ArgumentException("The training set yields no batches.", nameof(epochBatches));
        int accumulation = _options.GradientAccumulationSteps;
        int stepsPerEpoch = (batches.Count + accumulation - 1) / accumulation;
        int totalSteps = _options.MaxSteps ?? _options.Epochs * stepsPerEpoch;
        var schedule = new WarmupCosineSchedule(_options.LearningRate,
            _options.WarmupSteps ?? (int)Math.Ceiling(_options.WarmupRatio * totalSteps), totalSteps, _options.MinLearningRateRatio);
        var parameters = _masters?.Parameters.ToList() ?? _model.parameters().Where(p => p.requires_grad).ToList();

        int step = resumeFrom?.Step ?? 0, epoch = resumeFrom?.Epoch ?? 0, next = resumeFrom?.BatchInEpoch ?? 0;
        long tokens = resumeFrom?.TokensSeen ?? 0;
        if (resumeFrom is null) random.manual_seed(_options.Seed);
        else resumeFrom.Restore(Optimizer);

        int saved = step; // the step of the last save (or the one resumed from): a stop saves only when it is older
        var window = new LogWindow();
        _model.train();
        while (step < totalSteps)
        {
            if (next >= batches.Count) (epoch, next, batches) = (epoch + 1, 0, epochBatches(epoch + 1));
            if (cancellationToken.IsCancellationRequested)
            {
                if (step != saved) Checkpoint(parameters, step, epoch, next, tokens);
                cancellationToken.ThrowIfCancellationRequested();
            }
            var group = batches.Skip(next).Take(accumulation).ToList();
            double lr = schedule.LearningRateAt(step);
            var (loss, gradNorm, groupTokens) = Step(group, lr, parameters, step, epoch, next);
            step++;
            next += group.Count;
            tokens += groupTokens;
            window.Add(loss, groupTokens);

            double fractionalEpoch = epoch + (double)next / batches.Count;
            if (step % _options.LoggingSteps == 0 || step == totalSteps)
                OnLog?.Invoke(window.Flush(step, fractionalEpoch, lr, gradNorm));
            bool evalNow = evalBatches is { Count: > 0 } && ((_options.EvalSteps > 0 && step % _options.EvalSteps == 0) || step == totalSteps);
            if (evalNow) OnLog?.Invoke(new TrainingMetrics(step, fractionalEpoch, null, lr, null, null, Evaluate(evalBatches!)));
            if (_options.SaveSteps > 0 && step % _options.SaveSteps == 0)
            {
                Checkpoint(parameters, step, epoch, next, tokens);
                saved = step;
            }
        }
        RequireFiniteParameters(parameters, step);
        return TrainingState.Capture(step, epoch, next, tokens, Optimizer);
    }

    /// <summary>Hands <see cref="OnCheckpoint"/> the state after <paramref name="step"/>, with the float32 master weights in
    /// the model.</summary>
    private void Checkpoint(List<Parameter> parameters, int step, int epoch, int next, long tokens)
    {
        if (OnCheckpoint is null) return;
        RequireFiniteParameters(parameters, step);
        _masters?.Leave();
        OnCheckpoint(TrainingState.Capture(step, epoch, next, tokens, Optimizer));
        _masters?.Enter();
    }

    /// <summary>Weighted mean loss over <paramref name="batches"/> under no-grad in eval mode.</summary>
    public double Evaluate(IReadOnlyList<TBatch> batches)
    {
        _model.eval();
        try
        {
            using var noGrad = no_grad();
            double sum = 0, weights = 0;
            foreach (var batch in batches)
            {
                double weight = _lossWeight(batch);
                if (weight <= 0) continue;
                using var scope = NewDisposeScope();
                sum += weight * _loss(batch).item<float>();
                weights += weight;
            }
            return weights > 0 ? sum / weights : double.NaN;
        }
        finally
        {
            _model.train();
        }
    }

    private (double Loss, double GradNorm, long Tokens) Step(List<TBatch> group, double lr, List<Parameter> parameters, int step, int epoch, int first)
    {
        foreach (var paramGroup in Optimizer.ParamGroups) paramGroup.LearningRate = lr;
        using (NewDisposeScope()) Optimizer.zero_grad();
        double total = group.Sum(_lossWeight), stepLoss = 0;
        long tokens = 0;
        for (int i = 0; i < group.Count; i++)
        {
            tokens += _tokenCount(group[i]);
            double weight = _lossWeight(group[i]);
            if (weight <= 0) continue;
            using var scope = NewDisposeScope();
            var loss = _loss(group[i]);
            double value = loss.item<float>();
            if (!double.IsFinite(value))
                throw new TrainingDivergedException(
                    $"Training diverged: loss is {value} at step {step + 1} (epoch {epoch}, micro-batch {first + i}). " +
                    "Lower the learning rate, check the data, or resume from the last checkpoint.");
            (loss * (weight / total)).backward();
            _masters?.AccumulateGradients();
            stepLoss += value * weight / total;
        }
        double gradNorm;
        using (NewDisposeScope())
        {
            var withGrad = parameters.Where(p => p.grad is not null).ToList();
            gradNorm = withGrad.Count == 0 ? 0 : nn.utils.clip_grad_norm_(withGrad, _options.MaxGradNorm > 0 ? _options.MaxGradNorm : double.MaxValue);
        }
        if (!double.IsFinite(gradNorm))
            throw new TrainingDivergedException(
                $"Training diverged: gradient norm is {gradNorm} at step {step + 1} (epoch {epoch}). Lower the learning rate or check the data.");
        using (NewDisposeScope()) Optimizer.step();
        _masters?.CopyToModel();
        return (stepLoss, gradNorm, tokens);
    }

    /// <summary>
    /// An update from a finite loss and gradient can still overflow the weights (a huge learning rate): before a
    /// checkpoint is saved or the run returns, every trained weight must be finite.
    /// </summary>
    private static void RequireFiniteParameters(List<Parameter> parameters, int step)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var p in parameters)
            if (!p.isfinite().all().item<bool>())
                throw new TrainingDivergedException(
                    $"Training diverged: the weights hold NaN or infinite values after step {step}. "
                    + "Lower the learning rate or check the data.");
    }

    private sealed class LogWindow
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _lossSum;
        private int _steps;
        private long _tokens;

        public void Add(double loss, long tokens) => (_lossSum, _steps, _tokens) = (_lossSum + loss, _steps + 1, _tokens + tokens);

        public TrainingMetrics Flush(int step, double epoch, double lr, double gradNorm)
        {
            var metrics = new TrainingMetrics(step, epoch, _lossSum / _steps, lr, gradNorm, _tokens / Math.Max(1e-9, _clock.Elapsed.TotalSeconds));
            (_lossSum, _steps, _tokens) = (0, 0, 0);
            _clock.Restart();
            return metrics;
        }
    }
}
