using System.Text.Json.Nodes;
using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Abstractions.Training;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests;

/// <summary>
/// A scratch directory with a tiny random Llama checkpoint (policy = reference) and a trivially separable
/// preferences.jsonl: the chosen response always ends with "thanks", the rejected one with "idiot", around random words;
/// p_chosen cycles through <c>labels</c> (default 1, 0.95, 0.9).
/// </summary>
internal sealed class PreferenceTestWorld : IDisposable
{
    private static readonly string[] Words = ["sun", "rain", "tree", "boat", "road", "lamp", "bird", "stone", "river", "cloud"];

    public PreferenceTestWorld(int pairs = 40, double[]? labels = null)
    {
        Directory.CreateDirectory(Root);
        var random = new Random(3);
        string Filler() => string.Join(" ", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Words[random.Next(Words.Length)]));
        labels ??= [1.0, 0.95, 0.9];
        var rows = Enumerable.Range(0, pairs).Select(i => new JsonObject
        {
            ["id"] = $"red_team/{i}",
            ["prompt"] = ChatFormat.Default.Render(Conversation.FromPrompt($"tell me about the {Filler()}")),
            ["chosen"] = $" {Filler()} thanks",
            ["rejected"] = $" {Filler()} idiot",
            ["p_chosen"] = labels[i % labels.Length],
        }).ToList();
        File.WriteAllLines(Sub("preferences.jsonl"), rows.Select(r => r.ToJsonString()));

        var documents = rows.SelectMany(r => new[]
            { (string)r["prompt"]! + (string)r["chosen"]!, (string)r["prompt"]! + (string)r["rejected"]! });
        var bpe = new BpeTrainer(new BpeTrainerOptions(300, ["<|endoftext|>"])).Train(documents);
        Tokenizer = new TextTokenizer(bpe, new SpecialTokens(Eos: "<|endoftext|>"));
        manual_seed(11);
        var config = ModelConfig.Llama(Tokenizer.VocabSize, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4,
            numKeyValueHeads: 2, maxPositionEmbeddings: 96);
        config = config with { EosTokenIds = [Tokenizer.EosTokenId!.Value] };
        using (var model = CausalLanguageModels.Create(config)) CheckpointWriter.Save(model, Sub("base"), Tokenizer);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "cai-preferences-" + Guid.NewGuid().ToString("N"));

    public TextTokenizer Tokenizer { get; }

    public string Sub(string name) => Path.Combine(Root, name);

    public TrainingRequest Request(string output) =>
        new(Sub("base"), Sub("base"), [Sub("prompts.jsonl"), Sub("preferences.jsonl")], Sub(output), Seed: 5, Device: "cpu");

    public static PluginContext PluginContext(string name) =>
        new(new Dictionary<string, ITextModel>(), new ConstitutionDocument("test", [], []), 5, NullLogger.Instance,
            new Provenance(name, PluginKind.Trainer, "0", "", null, 5));

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
