using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Training;

/// <summary>
/// AdamW with Hugging Face Trainer's parameter groups: weight decay on matrices, none on biases, norms and
/// embeddings (tied LM heads share the embedding and so are not decayed either).
/// </summary>
public static class AdamWFactory
{
    /// <summary>Parameter names split into (decay, noDecay); a parameter shared under two names appears once.</summary>
    public static (List<string> Decay, List<string> NoDecay) GroupNames(nn.Module model)
    {
        var decay = new List<string>();
        var noDecay = new List<string>();
        var seen = new HashSet<IntPtr>();
        var noDecayTensors = new HashSet<IntPtr>();
        var parameters = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        foreach (var (name, parameter) in parameters)
            if (!DecaysByName(name, parameter)) noDecayTensors.Add(Identity(parameter));
        foreach (var (name, parameter) in parameters)
        {
            if (!seen.Add(Identity(parameter))) continue;
            (noDecayTensors.Contains(Identity(parameter)) ? noDecay : decay).Add(name);
        }
        return (decay, noDecay);
    }

    /// <summary>Number of trainable values, counting a tied weight once.</summary>
    public static long CountParameters(nn.Module model) =>
        model.parameters().DistinctBy(Identity).Sum(p => p.numel());

    /// <summary>AdamW with two groups: weight decay <paramref name="weightDecay"/> and 0.</summary>
    public static AdamW Create(nn.Module model, double learningRate, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) =>
        Create(model, model.named_parameters().ToDictionary(p => p.name, p => p.parameter), learningRate, weightDecay, beta1, beta2, eps);

    /// <summary>
    /// AdamW over <paramref name="byName"/> (the model's parameters or stand-ins for them, such as float32 master
    /// weights), grouped by the names of <paramref name="model"/>'s parameters.
    /// </summary>
    public static AdamW Create(nn.Module model, IReadOnlyDictionary<string, Parameter> byName, double learningRate, double weightDecay,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        var (decay, noDecay) = GroupNames(model);
        var groups = new List<AdamW.ParamGroup>
        {
            new(decay.Select(n => byName[n]), learningRate, beta1, beta2, eps, weightDecay),
            new(noDecay.Select(n => byName[n]), learningRate, beta1, beta2, eps, 0),
        };
        return optim.AdamW(groups, learningRate, beta1, beta2, eps, weightDecay);
    }

    // Tied weights come back as distinct wrappers (handles) of one at::Tensor; an at::Tensor's only field is its
    // TensorImpl pointer, which tied names share.
    public static IntPtr Identity(Parameter parameter) => System.Runtime.InteropServices.Marshal.ReadIntPtr(parameter.Handle);

    private static bool DecaysByName(string name, Parameter parameter)
    {
        if (parameter.dim() < 2) return false;
        string lower = name.ToLowerInvariant();
        return !(lower.Contains("norm") || lower.Contains("embed") || lower.Contains(".wte.") || lower.Contains(".wpe.")
            || lower.StartsWith("wte.", StringComparison.Ordinal) || lower.StartsWith("wpe.", StringComparison.Ordinal));
    }
}
