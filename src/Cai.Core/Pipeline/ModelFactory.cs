using Cai.Abstractions.Input;
using Cai.Core.Recipes;
using Cai.Models;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using TorchSharp;

namespace Cai.Core.Pipeline;

/// <summary>
/// The one place where models are made, on one device with one dtype, both resolved once: a run's roles (policy,
/// reference, feedback members; <see cref="LoadTextModel"/>), the model pretraining builds
/// (<see cref="CreateForTraining"/>), and the checkpoints <c>cai generate</c> and <c>cai eval</c> load. Trainer
/// plugins get <see cref="Device"/> in their TrainingRequest and make their models (policy, reference, reward, value
/// head) there, in float32.
/// </summary>
public sealed class ModelFactory
{
    /// <summary>Resolves <paramref name="device"/> (see <see cref="Recipes.Device.Resolve"/>); throws <see cref="DeviceUnavailableException"/>.</summary>
    public ModelFactory(Device device, DType dtype)
    {
        Device = device.Resolve();
        DType = dtype;
        TorchDevice = torch.device(Device);
    }

    /// <summary>The factory of a run; a device the machine lacks is a <see cref="InputException"/> at the recipe's device:.</summary>
    public static ModelFactory For(Recipe recipe)
    {
        try
        {
            return new ModelFactory(recipe.Device, recipe.Dtype);
        }
        catch (DeviceUnavailableException e)
        {
            throw new InputException(recipe.Source.Of("device"), e.Message);
        }
    }

    /// <summary>The resolved device as TorchSharp names it: cpu, cuda or cuda:N.</summary>
    public string Device { get; }

    /// <summary>The parameter type of models loaded for inference.</summary>
    public DType DType { get; }

    public torch.Device TorchDevice { get; }

    /// <summary>A checkpoint (model and tokenizer) for generation and scoring, on the device in the dtype, with the
    /// built-in chat format <paramref name="chatFormat"/> instead of its own when given.</summary>
    public LocalTextModel LoadTextModel(string checkpoint, string? chatFormat = null) =>
        LocalTextModel.Load(checkpoint, TorchDevice, DType.ScalarType(), chatFormat);

    /// <summary>A checkpoint's model without its tokenizer, on the device in the dtype.</summary>
    public CausalLanguageModel LoadCausalLM(string checkpoint) => CausalLanguageModelLoader.Load(checkpoint, TorchDevice, DType.ScalarType());

    /// <summary>
    /// A new model to train from scratch, in float32 on the device: its weights are drawn on the CPU from torch's
    /// global generator seeded with <paramref name="seed"/>, then moved, so they are the same on every device.
    /// </summary>
    public CausalLanguageModel CreateForTraining(ModelConfig config, long seed)
    {
        torch.random.manual_seed(seed);
        var model = CausalLanguageModels.Create(config);
        try
        {
            return model.to(TorchDevice);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
