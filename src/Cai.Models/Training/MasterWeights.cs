using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cai.Models.Training;

/// <summary>
/// bfloat16 training with float32 master weights, for TorchSharp, which has no autocast. While the loop trains
/// (<see cref="Enter"/> to <see cref="Leave"/>) the model itself is bfloat16: its matmuls, activations and gradients
/// are bfloat16, at half the memory traffic of float32 (norms, softmax and the losses still compute in float32, as
/// the model code and the losses cast). The float32 masters hold the real values and are what AdamW updates: after
/// each backward the bfloat16 gradients are added into the masters' float32 gradients (so accumulation over
/// micro-batches is float32), clipping and AdamW run on the masters, and the masters are rounded back into the model.
/// Outside Enter/Leave the model is float32 and holds the masters' values, so checkpoints are exact.
/// </summary>
/// <remarks>
/// Memory per trained parameter: 4 (master) + 4 (master gradient) + 8 (AdamW moments) + 2 (bfloat16 weight) + 2
/// (bfloat16 gradient) = 20 bytes, against 16 in float32; activations take half. Unlike autocast, the residual stream
/// is bfloat16 too.
/// </remarks>
public sealed class MasterWeights
{
    private readonly nn.Module _model;
    private readonly List<(string Name, Parameter Master)> _masters;
    private List<(Parameter Model, Parameter Master)> _pairs = [];
    private bool _entered;

    /// <summary>Float32 masters for every trainable parameter of <paramref name="model"/> (a tied weight once).</summary>
    public MasterWeights(nn.Module model)
    {
        _model = model;
        using var noGrad = no_grad();
        var seen = new HashSet<IntPtr>();
        _masters = [.. model.named_parameters()
            .Where(p => p.parameter.requires_grad && seen.Add(AdamWFactory.Identity(p.parameter)))
            .Select(p => (p.name, new Parameter(p.parameter.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope(), requires_grad: true)))];
    }

    /// <summary>The masters by parameter name, for the optimizer.</summary>
    public IReadOnlyDictionary<string, Parameter> ByName => _masters.ToDictionary(m => m.Name, m => m.Master);

    /// <summary>The masters (the parameters the optimizer updates and the gradient norm is taken over).</summary>
    public IReadOnlyList<Parameter> Parameters => [.. _masters.Select(m => m.Master)];

    /// <summary>Takes the model's (float32) values into the masters and turns the model into bfloat16.</summary>
    public void Enter()
    {
        if (_entered) return;
        Pair();
        using (var scope = NewDisposeScope())
        using (no_grad())
            foreach (var (model, master) in _pairs) master.copy_(model);
        _model.to(ScalarType.BFloat16);
        _model.zero_grad();
        Pair();
        _entered = true;
    }

    /// <summary>Turns the model back into float32 and gives it the masters' values.</summary>
    public void Leave()
    {
        if (!_entered) return;
        _model.zero_grad();
        _model.to(ScalarType.Float32);
        Pair();
        using (var scope = NewDisposeScope())
        using (no_grad())
            foreach (var (model, master) in _pairs) model.copy_(master);
        _entered = false;
    }

    /// <summary>Adds the model's bfloat16 gradients into the masters' float32 ones and clears the model's.</summary>
    public void AccumulateGradients()
    {
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            foreach (var (model, master) in _pairs)
            {
                if (model.grad is not { } grad) continue;
                var value = grad.to(ScalarType.Float32); // a new tensor: the model's gradients are bfloat16
                if (master.grad is { } sum) sum.add_(value);
                else master.grad = value;
            }
        }
        _model.zero_grad();
    }

    /// <summary>Rounds the masters' values (after the optimizer step) into the bfloat16 model.</summary>
    public void CopyToModel()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (model, master) in _pairs) model.copy_(master);
    }

    // Converting the model replaces its Parameter objects: pair the current ones with the masters by name.
    private void Pair()
    {
        var current = _model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        _pairs = [.. _masters.Select(m => (current[m.Name], m.Master))];
    }
}
