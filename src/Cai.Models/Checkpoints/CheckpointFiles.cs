using System.Text.Json.Nodes;

namespace Cai.Models.Checkpoints;

/// <summary>
/// The weight files of a Hugging Face checkpoint directory: model.safetensors, or the shards listed by
/// model.safetensors.index.json. Maps every tensor name to its file's header entry.
/// </summary>
public sealed class CheckpointFiles
{
    /// <summary>Single-file weights.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>Index of sharded weights.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private CheckpointFiles(string directory, IReadOnlyList<SafeTensorsHeader> files, IReadOnlyDictionary<string, (SafeTensorsHeader File, SafeTensorEntry Entry)> tensors)
    {
        Directory = directory;
        Files = files;
        Tensors = tensors;
    }

    /// <summary>The checkpoint directory.</summary>
    public string Directory { get; }

    /// <summary>Headers of the weight files.</summary>
    public IReadOnlyList<SafeTensorsHeader> Files { get; }

    /// <summary>Every tensor, by name, with the header of the file holding it.</summary>
    public IReadOnlyDictionary<string, (SafeTensorsHeader File, SafeTensorEntry Entry)> Tensors { get; }

    /// <summary>Finds and reads the headers of the weights in <paramref name="directory"/>.</summary>
    public static CheckpointFiles Open(string directory)
    {
        string single = Path.Combine(directory, WeightsFileName);
        string index = Path.Combine(directory, IndexFileName);
        var tensors = new Dictionary<string, (SafeTensorsHeader, SafeTensorEntry)>(StringComparer.Ordinal);
        var files = new List<SafeTensorsHeader>();
        if (File.Exists(single))
        {
            var header = SafeTensors.ReadHeader(single);
            files.Add(header);
            foreach (var (name, entry) in header.Tensors) tensors[name] = (header, entry);
        }
        else if (File.Exists(index))
        {
            JsonObject json;
            try
            {
                json = JsonNode.Parse(Cai.Abstractions.Input.InputFile.ReadAllBytes(index, 64 << 20)) as JsonObject
                    ?? throw new FormatException($"{index}: must hold a JSON object.");
            }
            catch (System.Text.Json.JsonException e) { throw new FormatException($"{index}: is not valid JSON: {e.Message}", e); }
            var map = json["weight_map"] as JsonObject ?? throw new FormatException($"{index}: \"weight_map\" is missing.");
            var headers = new Dictionary<string, SafeTensorsHeader>(StringComparer.Ordinal);
            foreach (var (name, fileNode) in map)
            {
                string shard = fileNode is JsonValue value && value.TryGetValue(out string? text) && text.Length > 0
                    ? text : throw new FormatException($"{index}: \"{name}\" has no file name.");
                if (shard.Contains('/') || shard.Contains('\\') || shard.Contains(".."))
                    throw new FormatException($"{index}: shard name \"{shard}\" must be a file name in the checkpoint directory.");
                if (!headers.TryGetValue(shard, out var header))
                {
                    string path = Path.Combine(directory, shard);
                    if (!File.Exists(path)) throw new FileNotFoundException($"{index} lists {shard}, which does not exist.", path);
                    headers[shard] = header = SafeTensors.ReadHeader(path);
                    files.Add(header);
                }
                if (!header.Tensors.TryGetValue(name, out var entry))
                    throw new FormatException($"{index} places \"{name}\" in {shard}, which does not hold it.");
                tensors[name] = (header, entry);
            }
        }
        else
        {
            throw new FileNotFoundException($"No weights in {directory}: expected {WeightsFileName} or {IndexFileName}.");
        }
        return new CheckpointFiles(directory, files, tensors);
    }
}
