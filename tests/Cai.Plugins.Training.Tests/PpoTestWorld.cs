using System.Text.Json.Nodes;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Plugins.Training.Ppo;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests;

/// <summary>A <see cref="TrainingTestWorld"/> with a prompts.jsonl of chat-formatted questions.</summary>
internal sealed class PpoTestWorld : TrainingTestWorld
{
    private static readonly string[] Questions = ["what is the weather like", "tell me about the sea", "how do trees grow",
        "where is the market", "can you help me here", "what time is it", "who wrote these letters", "why is the sky blue"];

    public PpoTestWorld()
        : base("cai-ppo-", Enumerable.Repeat(Questions.Select(q => Prompt(q) + " here is the answer, see the rest."), 3).SelectMany(d => d))
    {
        Prompts = Questions.Select(Prompt).ToList();
        File.WriteAllLines(Sub("prompts.jsonl"), Prompts.Select((p, i) =>
            new JsonObject { ["id"] = $"red_team/{i}", ["prompt"] = p, ["prompt_set"] = "red_team" }.ToJsonString()));
    }

    public IReadOnlyList<string> Prompts { get; }

    public TrainingRequest Request(string output) =>
        new(Sub("base"), Sub("base"), [Sub("prompts.jsonl")], Sub(output), Seed: 5, Device: "cpu");

    public static PpoTrainer Trainer(PpoOptions options, IRewardFunction? reward) =>
        new(PluginContext("ppo"), options) { RewardFunction = reward };

    /// <summary>Mean probability that the first response token contains <paramref name="letter"/>, over the prompts.</summary>
    public double FirstTokenLetterMass(string checkpoint, char letter)
    {
        using var model = CausalLanguageModelLoader.Load(checkpoint);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rewarded = Enumerable.Range(0, Tokenizer.VocabSize).Select(id => Tokenizer.Decode([id]).Contains(letter) ? 1f : 0f).ToArray();
        var mask = tensor(rewarded);
        return Prompts.Average(p =>
        {
            var ids = tensor(Tokenizer.Encode(p).Select(i => (long)i).ToArray()).unsqueeze(0);
            var probs = model.forward(new Cai.Models.Modeling.CausalLMInput(ids)).Logits[0, -1].softmax(-1);
            return (probs * mask).sum().item<float>();
        });
    }

    private static string Prompt(string question) => ChatFormat.Default.Render(Conversation.FromPrompt(question));
}
