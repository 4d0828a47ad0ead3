using System.Text.RegularExpressions;
using Cai.Models.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Checkpoints;

/// <summary>
/// Loads Hugging Face checkpoints strictly: every parameter of the model must be in the checkpoint with its shape and
/// every tensor of the checkpoint must belong to the model, except tensors tied to another (lm_head.weight when
/// tie_word_embeddings) and buffers that old Hugging Face versions saved (rotary inv_freq, GPT-2's attn.bias and
/// attn.masked_bias). GPT-2 checkpoints whose names lack the "transformer." prefix (the original gpt2 upload) load too.
/// </summary>
public static partial class CausalLanguageModelLoader
{
    [GeneratedRegex(@"(^|\.)rotary_emb\.inv_freq$|(^|\.)attn\.(masked_)?bias$")]
    private static partial Regex IgnoredBuffers();

    /// <summary>
    /// Reads config.json and the weights of <paramref name="directory"/> into a new model on <paramref name="device"/>
    /// (CPU by default) with parameters of <paramref name="dtype"/> (float32 by default; the checkpoint's tensors are
    /// converted). Throws <see cref="CheckpointMismatchException"/> naming every problem tensor.
    /// </summary>
    public static CausalLanguageModel Load(string directory, Device? device = null, ScalarType? dtype = null)
    {
        var config = ModelConfig.Load(directory);
        var files = CheckpointFiles.Open(directory);
        var model = CausalLanguageModels.Create(config);
        try
        {
            model.to(device ?? CPU, dtype ?? ScalarType.Float32);
            LoadWeights(model, files);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies the weights of a checkpoint directory into an existing model, strictly.</summary>
    public static void LoadWeights(CausalLanguageModel model, string directory) => LoadWeights(model, CheckpointFiles.Open(directory));

    /// <summary>Copies the weights of opened checkpoint files into an existing model, strictly.</summary>
    public static void LoadWeights(CausalLanguageModel model, CheckpointFiles files)
    {
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var tied = new HashSet<string>(model.TiedParameterNames, StringComparer.Ordinal);
        var sources = new Dictionary<string, (SafeTensorsHeader File, SafeTensorEntry Entry)>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var (stored, source) in files.Tensors)
        {
            string name = Canonical(stored, model.Config, parameters);
            if (parameters.ContainsKey(name))
            {
                if (!sources.TryAdd(name, source)) unexpected.Add(stored); // the same parameter twice (with and without prefix)
            }
            else if (!tied.Contains(name) && !IgnoredBuffers().IsMatch(name))
            {
                unexpected.Add(stored);
            }
        }
        var missing = parameters.Keys.Where(n => !sources.ContainsKey(n)).ToList();
        var mismatched = sources
            .Where(s => !s.Value.Entry.Shape.SequenceEqual(parameters[s.Key].shape))
            .Select(s => new ShapeMismatch(s.Key, parameters[s.Key].shape, s.Value.Entry.Shape))
            .ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
            throw new CheckpointMismatchException(files.Directory, missing, unexpected.Order(StringComparer.Ordinal).ToList(), mismatched);

        using var noGrad = no_grad();
        foreach (var group in sources.GroupBy(s => s.Value.File.File))
        {
            using var stream = File.OpenRead(group.Key);
            foreach (var (name, (file, entry)) in group.OrderBy(g => g.Value.Entry.Begin))
            {
                using var scope = NewDisposeScope();
                var tensor = SafeTensors.ReadTensor(stream, file, entry);
                if (!tensor.is_floating_point())
                    throw new FormatException($"{file.File}: tensor \"{entry.Name}\" has dtype {entry.DType}; model weights must be floating point.");
                if (!tensor.isfinite().all().item<bool>())
                    throw new FormatException($"{file.File}: tensor \"{entry.Name}\" holds NaN or infinite values.");
                parameters[name].copy_(tensor);
            }
        }
    }

    /// <summary>The model's name for a stored tensor name (adds GPT-2's "transformer." prefix when missing).</summary>
    private static string Canonical(string stored, ModelConfig config, IReadOnlyDictionary<string, Parameter> parameters)
    {
        if (config.Architecture == ModelArchitecture.Gpt2 && !parameters.ContainsKey(stored) && !stored.StartsWith("lm_head.", StringComparison.Ordinal)
            && !stored.StartsWith("transformer.", StringComparison.Ordinal))
            return "transformer." + stored;
        return stored;
    }
}
