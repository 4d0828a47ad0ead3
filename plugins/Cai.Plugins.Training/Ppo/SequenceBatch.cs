using static TorchSharp.torch;

namespace Cai.Plugins.Training.Ppo;

/// <summary>Prompt + response rows right-padded into tensors, with the action mask of the responses.</summary>
/// <param name="InputIds">[batch, seq] int64.</param>
/// <param name="AttentionMask">[batch, seq] int64, 1 at real tokens.</param>
/// <param name="ActionMask">[batch, seq − 1] float32, 1 where token t + 1 is a response token (aligned with <see cref="TokenOutputs"/>).</param>
public sealed record SequenceBatch(Tensor InputIds, Tensor AttentionMask, Tensor ActionMask)
{
    public static SequenceBatch Pad(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, int padId, Device device)
    {
        int rows = prompts.Count;
        int length = Enumerable.Range(0, rows).Max(r => prompts[r].Count + responses[r].Count);
        var ids = new long[rows * length];
        var attention = new long[rows * length];
        var actions = new float[rows * (length - 1)];
        Array.Fill(ids, padId);
        for (int r = 0; r < rows; r++)
        {
            int t = 0;
            foreach (int id in prompts[r].Concat(responses[r]))
            {
                ids[r * length + t] = id;
                attention[r * length + t] = 1;
                if (t >= prompts[r].Count) actions[r * (length - 1) + t - 1] = 1;
                t++;
            }
        }
        return new SequenceBatch(tensor(ids, [rows, length], device: device), tensor(attention, [rows, length], device: device),
            tensor(actions, [rows, length - 1], device: device));
    }
}
