using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Cai.Plugins.Training.Tests;

/// <summary>
/// A scratch directory for a trainer's tests, with a tiny random Llama checkpoint in base/ (seed 11; the policy and
/// the reference) whose 300-token BPE tokenizer is trained on the world's own documents.
/// </summary>
internal abstract class TrainingTestWorld : IDisposable
{
    protected TrainingTestWorld(string prefix, IEnumerable<string> documents)
    {
        Root = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        var bpe = new BpeTrainer(new BpeTrainerOptions(300, ["<|endoftext|>"])).Train(documents);
        Tokenizer = new TextTokenizer(bpe, new SpecialTokens(Eos: "<|endoftext|>"));
        manual_seed(11);
        var config = ModelConfig.Llama(Tokenizer.VocabSize, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4,
            numKeyValueHeads: 2, maxPositionEmbeddings: 96);
        config = config with { EosTokenIds = [Tokenizer.EosTokenId!.Value] };
        using var model = CausalLanguageModels.Create(config);
        CheckpointWriter.Save(model, Sub("base"), Tokenizer);
    }

    public string Root { get; }

    public TextTokenizer Tokenizer { get; }

    public string Sub(string name) => Path.Combine(Root, name);

    /// <summary>A plugin context without models or principles, seed 5.</summary>
    public static PluginContext PluginContext(string name) =>
        new(new Dictionary<string, ITextModel>(), new ConstitutionDocument("test", [], []), 5, NullLogger.Instance,
            new Provenance(name, PluginKind.Trainer, "0", "", null, 5));

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
