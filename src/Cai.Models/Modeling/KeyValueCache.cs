using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>
/// Keys and values of every layer for a batch, preallocated as [batch, kv_heads, max_length, head_dim] and written in
/// place: a forward pass over n new tokens copies them into positions [Length, Length + n) of each layer and attends
/// over [0, Length + n). Nothing is concatenated per step. Sequences of a batch share positions: shorter prompts are
/// left-padded and the attention mask hides the padding.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private int _pendingLength = -1;

    /// <summary>Allocates zeroed storage for <paramref name="layers"/> layers.</summary>
    public KeyValueCache(int layers, long batchSize, long kvHeads, long maxLength, long headDim, Device device, ScalarType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (int i = 0; i < layers; i++)
        {
            _keys[i] = zeros([batchSize, kvHeads, maxLength, headDim], dtype, device).DetachFromDisposeScope();
            _values[i] = zeros([batchSize, kvHeads, maxLength, headDim], dtype, device).DetachFromDisposeScope();
        }
        BatchSize = batchSize;
        MaxLength = maxLength;
    }

    private KeyValueCache(Tensor[] keys, Tensor[] values, int length)
    {
        _keys = keys;
        _values = values;
        BatchSize = keys[0].shape[0];
        MaxLength = keys[0].shape[2];
        Length = length;
    }

    /// <summary>Rows (sequences) of the cache.</summary>
    public long BatchSize { get; }

    /// <summary>Positions the cache can hold.</summary>
    public long MaxLength { get; }

    /// <summary>Positions already written (equal for every sequence).</summary>
    public int Length { get; private set; }

    /// <summary>Layers of the cache.</summary>
    public int Layers => _keys.Length;

    /// <summary>
    /// Writes a layer's new keys and values ([batch, kv_heads, n, head_dim]) after the cached ones and returns views of
    /// all keys and values so far ([batch, kv_heads, Length + n, head_dim]). <see cref="Advance"/> commits the length
    /// once every layer has been written.
    /// </summary>
    public (Tensor Keys, Tensor Values) Update(int layer, Tensor keys, Tensor values)
    {
        long n = keys.shape[2];
        if (keys.shape[0] != BatchSize)
            throw new ArgumentException($"The cache holds {BatchSize} sequences, the input has {keys.shape[0]}.", nameof(keys));
        if (Length + n > MaxLength)
            throw new InvalidOperationException($"The KV cache holds {MaxLength} positions; {Length} are used and {n} more were given.");
        if (_pendingLength >= 0 && _pendingLength != n)
            throw new InvalidOperationException("Every layer of one forward pass must write the same number of positions.");
        _pendingLength = (int)n;
        _keys[layer].narrow(2, Length, n).copy_(keys);
        _values[layer].narrow(2, Length, n).copy_(values);
        return (_keys[layer].narrow(2, 0, Length + n), _values[layer].narrow(2, 0, Length + n));
    }

    /// <summary>Commits the positions written by the last forward pass (called by the model after its last layer).</summary>
    public void Advance()
    {
        if (_pendingLength < 0) return;
        Length += _pendingLength;
        _pendingLength = -1;
    }

    /// <summary>Forgets every position (storage is kept and reused).</summary>
    public void Reset()
    {
        Length = 0;
        _pendingLength = -1;
    }

    /// <summary>
    /// A new cache holding only the rows <paramref name="rows"/> (int64 indices), used to drop finished sequences from
    /// a batch. The caller disposes this cache when it no longer needs it.
    /// </summary>
    public KeyValueCache SelectRows(Tensor rows)
    {
        var keys = new Tensor[_keys.Length];
        var values = new Tensor[_values.Length];
        for (int i = 0; i < _keys.Length; i++)
        {
            keys[i] = _keys[i].index_select(0, rows).DetachFromDisposeScope();
            values[i] = _values[i].index_select(0, rows).DetachFromDisposeScope();
        }
        return new KeyValueCache(keys, values, Length);
    }

    /// <summary>Bytes held by the cache.</summary>
    public long SizeInBytes => _keys.Sum(k => k.NumberOfElements * k.ElementSize) * 2;

    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }
}
