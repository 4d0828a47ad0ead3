using Cai.Models.Modeling.Gpt2;
using Cai.Models.Modeling.Llama;

namespace Cai.Models.Modeling;

/// <summary>Builds the model class that implements a config.</summary>
public static class CausalLanguageModels
{
    /// <summary>A randomly initialised model for <paramref name="config"/> (Hugging Face's initialisation).</summary>
    public static CausalLanguageModel Create(ModelConfig config) => config.Architecture switch
    {
        ModelArchitecture.Gpt2 => new Gpt2LMHeadModel(config),
        _ => new LlamaForCausalLM(config),
    };
}
