using Cai.Plugins.Training.Ppo;

namespace Cai.Plugins.Training.Tests.Ppo;

/// <summary>A fake reward model: the number of times a letter occurs in the response.</summary>
internal sealed class LetterReward(char letter) : IRewardFunction
{
    public int Calls { get; private set; }

    public IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Response)> samples)
    {
        Calls++;
        return samples.Select(s => (double)s.Response.Count(c => c == letter)).ToList();
    }
}
