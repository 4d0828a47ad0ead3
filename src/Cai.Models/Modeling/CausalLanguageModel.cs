using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// A decoder-only transformer with an LM head (LlamaForCausalLM, GPT2LMHeadModel). Weight names of subclasses are
/// exactly Hugging Face's, so state dicts load from and save to Hugging Face checkpoints.
/// </summary>
/// <remarks>
/// Like PyTorch's, <see cref="named_parameters"/> lists a tied parameter once, under its first name
/// (model.embed_tokens.weight), so optimizers never see it twice. The tied LM heads of this library register no
/// parameter of their own (see <see cref="LanguageModelHead"/>), so ties survive moves and conversions.
/// </remarks>
public abstract class CausalLanguageModel : nn.Module<CausalLMInput, CausalLMOutput>
{
    protected CausalLanguageModel(string name, ModelConfig config) : base(name) => Config = config;

    /// <summary>The parsed config.json.</summary>
    public ModelConfig Config { get; }

    /// <summary>Allocates a KV cache for <paramref name="batchSize"/> sequences of up to <paramref name="maxLength"/> tokens.</summary>
    public abstract KeyValueCache CreateCache(int batchSize, int maxLength, Device device, ScalarType dtype);

    /// <summary>Names of parameters that may be absent from a checkpoint because they are tied to another one.</summary>
    public virtual IReadOnlyCollection<string> TiedParameterNames => [];

    /// <summary>The device of the parameters.</summary>
    public Device Device => parameters().First().device;

    /// <summary>The floating-point type of the parameters.</summary>
    public ScalarType DType => parameters().First().dtype;

    /// <inheritdoc />
    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
    {
        var seen = new HashSet<IntPtr>();
        foreach (var (name, parameter) in base.named_parameters(recurse))
            if (seen.Add(parameter.Handle))
                yield return (name, parameter);
    }

    /// <inheritdoc />
    public override IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);
}
