namespace Cai.Models.Training;

/// <summary>Thrown when the loss or gradient norm becomes NaN or infinite; training stops instead of corrupting weights.</summary>
public sealed class TrainingDivergedException(string message) : InvalidOperationException(message);
