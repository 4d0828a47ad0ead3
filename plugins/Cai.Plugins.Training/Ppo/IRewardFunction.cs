namespace Cai.Plugins.Training.Ppo;

/// <summary>Scores whole responses for PPO: the reward model, or any rule (tests use one).</summary>
public interface IRewardFunction
{
    /// <summary>One scalar score per (prompt, response); prompt is the chat-formatted text, response the sampled text
    /// (without eos or stop string), so prompt + response is the conversation.</summary>
    IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Response)> samples);
}
