using System.Text.Json.Nodes;
using Cai.Models.IO;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Checkpoints;

/// <summary>
/// Reward model checkpoints in Hugging Face's layout, as AutoModelForSequenceClassification writes them:
/// config.json (architectures [*ForSequenceClassification], num_labels 1, id2label, pad_token_id), model.safetensors
/// (trunk under model.* or transformer.*, and score.weight) and the tokenizer files. Loading is strict.
/// </summary>
public static class RewardModelCheckpoint
{
    /// <summary>Writes <paramref name="model"/> (and <paramref name="tokenizer"/>) to <paramref name="directory"/>,
    /// under a temporary name renamed into place; <paramref name="dtype"/> null keeps the model's.</summary>
    public static void Save(RewardModel model, string directory, TextTokenizer? tokenizer = null, ScalarType? dtype = null)
    {
        AtomicFile.WriteDirectory(directory, temp =>
        {
            var type = dtype ?? model.DType;
            File.WriteAllText(Path.Combine(temp, ModelConfig.FileName), ConfigJson(model, type, tokenizer));
            using (no_grad())
            using (NewDisposeScope())
                SafeTensors.Save(Path.Combine(temp, CheckpointFiles.WeightsFileName),
                    model.named_parameters().Select(p => KeyValuePair.Create(p.name, p.parameter.dtype == type ? (Tensor)p.parameter : p.parameter.to(type))));
            tokenizer?.Save(temp);
        });
    }

    /// <summary>Reads a reward model checkpoint onto <paramref name="device"/> (float32 unless <paramref name="dtype"/>), in eval mode.</summary>
    public static RewardModel Load(string directory, Device? device = null, ScalarType? dtype = null)
    {
        string configFile = Path.Combine(directory, ModelConfig.FileName);
        if (!File.Exists(configFile)) throw new FileNotFoundException($"No {ModelConfig.FileName} in {directory}.", configFile);
        var json = JsonNode.Parse(File.ReadAllText(configFile))?.AsObject() ?? throw new FormatException($"{configFile}: not a JSON object.");
        string architecture = (json["architectures"] as JsonArray)?.FirstOrDefault()?.GetValue<string>() ?? "(none)";
        if (!architecture.EndsWith("ForSequenceClassification", StringComparison.Ordinal))
            throw new InvalidDataException($"{directory} is a {architecture}, not a reward model (*ForSequenceClassification).");
        if (NumLabels(json) != 1)
            throw new InvalidDataException($"{directory} has {NumLabels(json)} labels; a reward model has one.");
        var model = new RewardModel(ModelConfig.Parse(json, configFile));
        try
        {
            model.to(device ?? CPU, dtype ?? ScalarType.Float32);
            LoadWeights(model, directory);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies a checkpoint's weights into <paramref name="model"/>; every tensor must match by name and shape.</summary>
    public static void LoadWeights(RewardModel model, string directory)
    {
        var files = CheckpointFiles.Open(directory);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var missing = parameters.Keys.Where(n => !files.Tensors.ContainsKey(n)).ToList();
        var unexpected = files.Tensors.Keys.Where(n => !parameters.ContainsKey(n) && !IsLegacyBuffer(n)).Order(StringComparer.Ordinal).ToList();
        var mismatched = files.Tensors.Where(t => parameters.TryGetValue(t.Key, out var p) && !p.shape.SequenceEqual(t.Value.Entry.Shape))
            .Select(t => new ShapeMismatch(t.Key, parameters[t.Key].shape, t.Value.Entry.Shape)).ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
            throw new CheckpointMismatchException(directory, missing, unexpected, mismatched);
        using var _ = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            using var scope = NewDisposeScope();
            var (file, entry) = files.Tensors[name];
            parameter.copy_(SafeTensors.ReadTensor(file, entry.Name));
        }
    }

    private static bool IsLegacyBuffer(string name) =>
        name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal) || name.EndsWith("attn.bias", StringComparison.Ordinal)
        || name.EndsWith("attn.masked_bias", StringComparison.Ordinal);

    private static int NumLabels(JsonObject json) =>
        json["num_labels"]?.GetValue<int>() ?? (json["id2label"] as JsonObject)?.Count ?? 2; // transformers' default is 2

    private static string ConfigJson(RewardModel model, ScalarType dtype, TextTokenizer? tokenizer)
    {
        var config = model.Config.WithDtype(dtype);
        if (config.PadTokenId is null && (tokenizer?.PadTokenId ?? tokenizer?.EosTokenId ?? config.EosTokenId) is int pad)
            config = config with { PadTokenId = pad };
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        json["architectures"] = new JsonArray(model.ArchitectureName);
        json["num_labels"] = 1;
        json["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
        json["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        return json.ToJsonString(new() { WriteIndented = true });
    }
}
