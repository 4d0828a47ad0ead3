using Cai.Abstractions.Input;
using Cai.Abstractions.Plugins;
using Cai.Models;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Plugins;

/// <summary>
/// A live plugin instance for one stage. Between batches the runner calls <see cref="RefreshIfChanged"/>: when the
/// plugin's assembly was rebuilt, the old instance is disposed and a new one from the new build takes its place, so
/// the <see cref="Provenance"/> of later rows carries the new assembly hash.
/// </summary>
public sealed class PluginHandle<T> : IDisposable where T : class
{
    readonly PluginAssembly _assembly;
    readonly PluginActivation _activation;
    int _generation;

    internal PluginHandle(PluginDescriptor descriptor, PluginActivation activation)
    {
        _assembly = descriptor.Assembly;
        _activation = activation;
        Name = descriptor.Name;
        Kind = descriptor.Kind;
        (Current, Provenance) = Instantiate(descriptor);
        _generation = _assembly.Generation;
    }

    public string Name { get; }

    public PluginKind Kind { get; }

    /// <summary>The current instance; do not keep it across batches.</summary>
    public T Current { get; private set; }

    /// <summary>Provenance of what <see cref="Current"/> produces.</summary>
    public Provenance Provenance { get; private set; }

    /// <summary>The batch-boundary call: swaps in a rebuilt plugin. Returns true when it did.</summary>
    public bool RefreshIfChanged()
    {
        _assembly.RefreshIfChanged();
        if (_assembly.Generation == _generation) return false;
        var descriptor = _assembly.Plugins.FirstOrDefault(d => d.Kind == Kind && d.Name == Name)
            ?? throw new PluginException(Name, null, $"the rebuilt {_assembly.Path} no longer defines {Kind} plugin '{Name}'");
        var (next, provenance) = Instantiate(descriptor);
        var old = Current;
        (Current, Provenance, _generation) = (next, provenance, _assembly.Generation);
        DisposeInstance(old);
        _activation.Logger.LogInformation("plugin '{Name}' now runs the build with sha256 {Sha256}", Name, provenance.AssemblySha256);
        return true;
    }

    /// <summary>Runs a call on the current instance, turning any failure into a <see cref="PluginException"/>.</summary>
    public async Task<TResult> InvokeAsync<TResult>(Func<T, Task<TResult>> call, string? itemId)
    {
        try { return await call(Current); }
        catch (Exception e) when (e is MissingMemberException or TypeLoadException)
        {
            var builtAgainst = ContractVersion.BuiltAgainst(Current.GetType().Assembly);
            throw new PluginException(Name, itemId, ContractVersion.Mismatch(builtAgainst, e.Message), e);
        }
        catch (Exception e) when (e is not PluginException and not OperationCanceledException and not InputException)
        {
            throw new PluginException(Name, itemId, $"{e.GetType().Name}: {e.Message}", e);
        }
    }

    public void Dispose() => DisposeInstance(Current);

    (T, Provenance) Instantiate(PluginDescriptor descriptor)
    {
        var provenance = descriptor.ProvenanceFor(_activation.ModelName, _activation.Seed);
        var context = new PluginContext(_activation.Models, _activation.Constitution, _activation.Seed, _activation.Logger, provenance)
        {
            JudgeResolver = _activation.ResolveJudge,
        };
        object?[] arguments = descriptor.OptionsType is { } optionsType ? [context, _activation.BindOptions(optionsType)] : [context];
        try
        {
            return ((T)Activator.CreateInstance(descriptor.Type, arguments)!, provenance);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new PluginException(Name, null, $"constructor failed: {e.InnerException.Message}", e.InnerException);
        }
    }

    void DisposeInstance(T instance)
    {
        try
        {
            if (instance is IAsyncDisposable asyncDisposable) TorchThread.Wait(asyncDisposable.DisposeAsync().AsTask());
            else if (instance is IDisposable disposable) disposable.Dispose();
        }
        catch (Exception e)
        {
            _activation.Logger.LogWarning(e, "plugin '{Name}' failed to dispose", Name);
        }
    }
}
