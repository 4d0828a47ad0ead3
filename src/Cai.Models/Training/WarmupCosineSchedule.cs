namespace Cai.Models.Training;

/// <summary>
/// Linear warmup then cosine decay, as Hugging Face's get_cosine_schedule_with_warmup, decaying to
/// <see cref="MinLearningRateRatio"/> × peak instead of 0 when set.
/// </summary>
/// <param name="PeakLearningRate">Learning rate at the end of warmup.</param>
/// <param name="WarmupSteps">Steps of linear warmup from 0.</param>
/// <param name="TotalSteps">Optimizer steps in the run.</param>
/// <param name="MinLearningRateRatio">Floor of the cosine as a fraction of the peak.</param>
public sealed record WarmupCosineSchedule(double PeakLearningRate, int WarmupSteps, int TotalSteps, double MinLearningRateRatio = 0)
{
    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based).</summary>
    public double LearningRateAt(int step)
    {
        if (step < WarmupSteps) return PeakLearningRate * step / Math.Max(1, WarmupSteps);
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps));
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return PeakLearningRate * (MinLearningRateRatio + (1 - MinLearningRateRatio) * cosine);
    }
}
