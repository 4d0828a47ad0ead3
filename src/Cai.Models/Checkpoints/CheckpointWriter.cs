using System.Text.Json.Nodes;
using Cai.Models.IO;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using static TorchSharp.torch;

namespace Cai.Models.Checkpoints;

/// <summary>How a checkpoint is written.</summary>
public sealed record CheckpointWriteOptions
{
    /// <summary>Type of the stored weights (float32, float16, bfloat16); null keeps the model's.</summary>
    public ScalarType? DType { get; init; }

    /// <summary>Largest shard in bytes; weights bigger than this are split over model-0000N-of-0000M.safetensors files
    /// listed in model.safetensors.index.json. Null writes one model.safetensors.</summary>
    public long? MaxShardBytes { get; init; }
}

/// <summary>
/// Writes a checkpoint directory in Hugging Face's layout (config.json, generation_config.json, model.safetensors or
/// shards + index, tokenizer files) so that transformers' from_pretrained can open it. The directory is written
/// under a temporary name beside the target and renamed into place, so readers never see half a checkpoint.
/// A tied parameter is written once, under its first name (model.embed_tokens.weight), as Hugging Face does.
/// </summary>
public static class CheckpointWriter
{
    /// <summary>Writes <paramref name="model"/> (and <paramref name="tokenizer"/>, when given) to <paramref name="directory"/>.</summary>
    public static void Save(CausalLanguageModel model, string directory, TextTokenizer? tokenizer = null, CheckpointWriteOptions? options = null)
    {
        options ??= new CheckpointWriteOptions();
        AtomicFile.WriteDirectory(directory, temp =>
        {
            var dtype = options.DType ?? model.DType;
            var config = model.Config.WithDtype(dtype);
            File.WriteAllText(Path.Combine(temp, ModelConfig.FileName), config.ToJson());
            File.WriteAllText(Path.Combine(temp, "generation_config.json"), GenerationConfig(config));
            WriteWeights(model, temp, dtype, options.MaxShardBytes);
            tokenizer?.Save(temp);
        });
    }

    private static void WriteWeights(CausalLanguageModel model, string directory, ScalarType dtype, long? maxShardBytes)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var tensors = model.named_parameters()
            .Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter.dtype == dtype ? p.parameter : p.parameter.to(dtype)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        long Bytes(Tensor t) => t.NumberOfElements * t.ElementSize;
        if (maxShardBytes is not long limit || tensors.Sum(t => Bytes(t.Value)) <= limit)
        {
            SafeTensors.Save(Path.Combine(directory, CheckpointFiles.WeightsFileName), tensors);
            return;
        }
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long current = 0;
        foreach (var t in tensors)
        {
            if (current > 0 && current + Bytes(t.Value) > limit)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(t);
            current += Bytes(t.Value);
        }
        var weightMap = new JsonObject();
        for (int i = 0; i < shards.Count; i++)
        {
            string name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafeTensors.Save(Path.Combine(directory, name), shards[i]);
            foreach (var t in shards[i]) weightMap[t.Key] = name;
        }
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = tensors.Sum(t => Bytes(t.Value)) },
            ["weight_map"] = weightMap,
        };
        File.WriteAllText(Path.Combine(directory, CheckpointFiles.IndexFileName), index.ToJsonString(new() { WriteIndented = true }));
    }

    private static string GenerationConfig(ModelConfig config)
    {
        var o = new JsonObject();
        if (config.BosTokenId is int bos) o["bos_token_id"] = bos;
        if (config.EosTokenIds.Count == 1) o["eos_token_id"] = config.EosTokenIds[0];
        else if (config.EosTokenIds.Count > 1) o["eos_token_id"] = new JsonArray(config.EosTokenIds.Select(i => (JsonNode?)i).ToArray());
        if (config.PadTokenId is int pad) o["pad_token_id"] = pad;
        return o.ToJsonString(new() { WriteIndented = true });
    }
}
