using System.Text.Json.Nodes;
using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Plugins.Training.Ppo;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests;

/// <summary>A scratch directory with a tiny random Llama checkpoint (policy = reference) and a prompts.jsonl.</summary>
internal sealed class PpoTestWorld : IDisposable
{
    public PpoTestWorld()
    {
        Directory.CreateDirectory(Root);
        var chat = ChatFormat.Default;
        string[] questions = ["what is the weather like", "tell me about the sea", "how do trees grow", "where is the market",
            "can you help me here", "what time is it", "who wrote these letters", "why is the sky blue"];
        var documents = questions.Select(q => chat.Render(Conversation.FromPrompt(q)) + " here is the answer, see the rest.").ToList();
        var bpe = new BpeTrainer(new BpeTrainerOptions(300, ["<|endoftext|>"])).Train(Enumerable.Repeat(documents, 3).SelectMany(d => d));
        Tokenizer = new TextTokenizer(bpe, new SpecialTokens(Eos: "<|endoftext|>"));
        manual_seed(11);
        var config = ModelConfig.Llama(Tokenizer.VocabSize, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4,
            numKeyValueHeads: 2, maxPositionEmbeddings: 96);
        config = config with { EosTokenIds = [Tokenizer.EosTokenId!.Value] };
        using (var model = CausalLanguageModels.Create(config)) CheckpointWriter.Save(model, Sub("base"), Tokenizer);
        Prompts = questions.Select(q => chat.Render(Conversation.FromPrompt(q))).ToList();
        File.WriteAllLines(Sub("prompts.jsonl"), Prompts.Select((p, i) =>
            new JsonObject { ["id"] = $"red_team/{i}", ["prompt"] = p, ["prompt_set"] = "red_team" }.ToJsonString()));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "cai-ppo-" + Guid.NewGuid().ToString("N"));

    public TextTokenizer Tokenizer { get; }

    public IReadOnlyList<string> Prompts { get; }

    public string Sub(string name) => Path.Combine(Root, name);

    public TrainingRequest Request(string output) =>
        new(Sub("base"), Sub("base"), [Sub("prompts.jsonl")], Sub(output), Seed: 5, Device: "cpu");

    public static PpoTrainer Trainer(PpoOptions options, IRewardFunction? reward)
    {
        var context = new PluginContext(new Dictionary<string, ITextModel>(), new ConstitutionDocument("test", [], []), 5,
            NullLogger.Instance, new Provenance("ppo", PluginKind.Trainer, "0", "", null, 5));
        return new PpoTrainer(context, options) { RewardFunction = reward };
    }

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

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
