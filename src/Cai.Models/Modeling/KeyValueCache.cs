namespace Cai.Models.Modeling;

// PLACEHOLDER for the Cai.Models helper to replace: a preallocated per-layer key/value cache.
public sealed class KeyValueCache : IDisposable
{
    public void Dispose() { }
}
