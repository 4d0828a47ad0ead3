using TorchSharp;
using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// A decoder-only transformer with an LM head (LlamaForCausalLM, GPT2LMHeadModel). Weight names of subclasses are
/// exactly Hugging Face's, so state dicts load from and save to Hugging Face checkpoints.
/// </summary>
public abstract class CausalLanguageModel : nn.Module<CausalLMInput, CausalLMOutput>
{
    protected CausalLanguageModel(string name, ModelConfig config) : base(name) => Config = config;

    /// <summary>The parsed config.json.</summary>
    public ModelConfig Config { get; }

    /// <summary>Allocates a KV cache for <paramref name="batchSize"/> sequences of up to <paramref name="maxLength"/> tokens.</summary>
    public abstract KeyValueCache CreateCache(int batchSize, int maxLength, Device device, ScalarType dtype);
}
