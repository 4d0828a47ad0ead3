using Cai.Core.Recipes;

namespace Cai.Core.Pipeline;

/// <summary>A stage ran out of CUDA memory: names the stage and its device and suggests a smaller batch.</summary>
public sealed class OutOfDeviceMemoryException(ResolvedStage stage, string device, string cause, Exception inner)
    : Exception($"stage '{stage.Id}' ({stage.Kind.Name}) ran out of memory on {device}: {Advice(stage)} ({cause})", inner)
{
    /// <summary>The first line of libtorch's "CUDA out of memory" message in <paramref name="e"/> or its inner exceptions, or null.</summary>
    public static string? CauseIn(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            if (current.Message.IndexOf("CUDA out of memory", StringComparison.Ordinal) is int at and >= 0)
                return current.Message[at..].Split('\n')[0].Trim();
        return null;
    }

    static string Advice(ResolvedStage stage) => stage.Kind.Name switch
    {
        "train" => "give it a smaller batch size in its with: (the trainer's batch_size; for ppo rollout_batch_size and mini_batch_size)",
        _ => $"give it a smaller batch_size in its with: (now {stage.Options.BatchSize})",
    };
}
